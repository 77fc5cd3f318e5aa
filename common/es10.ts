/**
 * SGP.22 ES10 vocabulary shared by the LPA (agent/lpa) and the simulated eUICC (simulator/euicc):
 * tags, result-code names, the notification event bits and the ICCID / EID value encodings.
 * Tag numbers are the encoded BER tags of SGP.22 §5.7 (ASN.1 module RSPDefinitions, automatic tags).
 */
import { BerTlvError, fromHex, toHex } from './ber-tlv.js';

/** ISD-R application identifier (SGP.22 §2.2.3). */
export const ISD_R_AID = 'A0000005591010FFFFFFFF8900000100';

/** ES10 top-level request / response tags. */
export const Es10Tag = {
  EuiccInfo1: 0xbf20,
  EuiccInfo2: 0xbf22,
  ListNotification: 0xbf28,
  SetNickname: 0xbf29,
  RetrieveNotificationsList: 0xbf2b,
  ProfileInfoList: 0xbf2d,
  NotificationMetadata: 0xbf2f,
  NotificationSent: 0xbf30,
  EnableProfile: 0xbf31,
  DisableProfile: 0xbf32,
  DeleteProfile: 0xbf33,
  ProfileInstallationResult: 0xbf37,
  ProfileInstallationResultData: 0xbf27,
  GetEuiccData: 0xbf3e,
} as const;

/** Tags inside ES10 structures. */
export const Es10Field = {
  iccid: 0x5a,
  eid: 0x5a,
  isdpAid: 0x4f,
  tagList: 0x5c,
  profileState: 0x9f70,
  profileNickname: 0x90,
  serviceProviderName: 0x91,
  profileName: 0x92,
  profileClass: 0x95,
  profileInfo: 0xe3,
  notificationAddress: 0x0c,
  signature: 0x5f37,
  sequence: 0x30,
  octetString: 0x04,
  oid: 0x06,
} as const;

/** Profile state (SGP.22 ProfileState). */
export const ProfileStateCode = { disabled: 0, enabled: 1 } as const;
/** Profile class (SGP.22 ProfileClass). */
export const ProfileClassCode = { test: 0, provisioning: 1, operational: 2 } as const;
export type ProfileClassName = keyof typeof ProfileClassCode;

/** NotificationEvent named bits (SGP.22 §5.7.6 / NotificationEvent). */
export const NotificationEventBit = { install: 0, enable: 1, disable: 2, delete: 3 } as const;
export type NotificationEventName = keyof typeof NotificationEventBit;

/** Result code names, per response (SGP.22 §5.7.16..§5.7.21, §5.7.10). */
export const EnableResult = {
  0: 'ok',
  1: 'iccidOrAidNotFound',
  2: 'profileNotInDisabledState',
  3: 'disallowedByPolicy',
  4: 'wrongProfileReenabling',
  5: 'catBusy',
  127: 'undefinedError',
} as const;
export const DisableResult = {
  0: 'ok',
  1: 'iccidOrAidNotFound',
  2: 'profileNotInEnabledState',
  3: 'disallowedByPolicy',
  5: 'catBusy',
  127: 'undefinedError',
} as const;
export const DeleteResult = {
  0: 'ok',
  1: 'iccidOrAidNotFound',
  2: 'profileNotInDisabledState',
  3: 'disallowedByPolicy',
  127: 'undefinedError',
} as const;
export const NotificationSentResult = { 0: 'ok', 1: 'nothingToDelete', 127: 'undefinedError' } as const;
export const SetNicknameResult = { 0: 'ok', 1: 'iccidNotFound', 127: 'undefinedError' } as const;

export type EnableResultName = (typeof EnableResult)[keyof typeof EnableResult];
export type DisableResultName = (typeof DisableResult)[keyof typeof DisableResult];
export type DeleteResultName = (typeof DeleteResult)[keyof typeof DeleteResult];
export type NotificationSentResultName = (typeof NotificationSentResult)[keyof typeof NotificationSentResult];
export type SetNicknameResultName = (typeof SetNicknameResult)[keyof typeof SetNicknameResult];

/** A result table lookup that names unknown codes instead of failing (a newer card may add codes). */
export function resultName<T extends Record<number, string>>(table: T, code: number): T[keyof T] | `unknown(${number})` {
  return (table[code] as T[keyof T] | undefined) ?? `unknown(${code})`;
}

/**
 * ICCID as SGP.22 `Iccid` (ITU-T E.118 digits, BCD with the nibbles of each byte swapped, padded
 * with F to 10 bytes): `8988...` → `98 88 ...`.
 */
export function encodeIccid(iccid: string): Uint8Array {
  if (!/^[0-9]{18,20}$/.test(iccid)) throw new BerTlvError('bad-value', `ICCID must be 18..20 digits: ${iccid}`);
  const padded = iccid.padEnd(20, 'F');
  let swapped = '';
  for (let i = 0; i < 20; i += 2) swapped += padded[i + 1]! + padded[i]!;
  return fromHex(swapped);
}

export function decodeIccid(bytes: Uint8Array): string {
  if (bytes.length !== 10) throw new BerTlvError('bad-value', `ICCID must be 10 bytes, got ${bytes.length}`);
  const hex = toHex(bytes);
  let digits = '';
  for (let i = 0; i < hex.length; i += 2) digits += hex[i + 1]! + hex[i]!;
  const trimmed = digits.replace(/F+$/, '');
  if (!/^[0-9]+$/.test(trimmed)) throw new BerTlvError('bad-value', `ICCID has non-digit nibbles: ${hex}`);
  return trimmed;
}

/** EID: 32 decimal digits carried as 16 bytes of plain hex (SGP.02 §2.2.2). */
export function encodeEid(eid: string): Uint8Array {
  if (!/^[0-9]{32}$/.test(eid)) throw new BerTlvError('bad-value', `EID must be 32 digits: ${eid}`);
  return fromHex(eid);
}

export function decodeEid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new BerTlvError('bad-value', `EID must be 16 bytes, got ${bytes.length}`);
  return toHex(bytes);
}

/** An activation code `LPA:1$<smdp>$<matchingId>[$<oid>[$<confirmationCodeRequired>]]` (SGP.22 §4.1). */
export interface ActivationCode {
  readonly smdpAddress: string;
  /** AC_Token; may be empty (the SM-DP+ then looks for a default order for the EID). */
  readonly matchingId: string;
  /** SM-DP+ OID, when the code carries one (4th field). */
  readonly smdpOid?: string;
  /** The 5th field is `1`: the download needs a confirmation code. */
  readonly confirmationCodeRequired: boolean;
}

export function parseActivationCode(code: string): ActivationCode {
  const body = code.startsWith('LPA:') ? code.slice(4) : code;
  const parts = body.split('$');
  if (parts[0] !== '1' || parts.length < 3 || !parts[1] || parts[2] === undefined) {
    throw new BerTlvError('bad-value', `not an activation code: ${code}`);
  }
  if (!/^[A-Za-z0-9.-]+(:[0-9]+)?$/.test(parts[1])) throw new BerTlvError('bad-value', `bad SM-DP+ address: ${parts[1]}`);
  // SGP.22 §4.1: the AC_Token is letters, digits and '-' (lpac checks the same).
  if (!/^[A-Za-z0-9-]*$/.test(parts[2])) throw new BerTlvError('bad-value', `bad matching ID: ${parts[2]}`);
  const oid = parts[3];
  if (oid && !/^\d+(\.\d+)+$/.test(oid)) throw new BerTlvError('bad-value', `bad SM-DP+ OID: ${oid}`);
  if (parts[4] !== undefined && parts[4] !== '0' && parts[4] !== '1') throw new BerTlvError('bad-value', `bad confirmation code flag: ${parts[4]}`);
  return { smdpAddress: parts[1], matchingId: parts[2], ...(oid ? { smdpOid: oid } : {}), confirmationCodeRequired: parts[4] === '1' };
}
