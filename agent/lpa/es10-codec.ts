/**
 * ES10 requests and responses as data (SGP.22 §5.7, ASN.1 module RSPDefinitions): pure encoders
 * from typed arguments to BER-TLV, and decoders from BER-TLV to typed results. A response that
 * does not have the structure SGP.22 defines is an `LpaError` `LPA_BAD_RESPONSE`.
 */
import {
  BerTlvError,
  childrenOf,
  constructed,
  decodeBitString,
  decodeInteger,
  decodeTlv,
  decodeTlvs,
  decodeUtf8,
  encodeBitString,
  encodeBoolean,
  encodeInteger,
  encodeTagList,
  encodeTlv,
  encodeUtf8,
  findChild,
  findChildren,
  isConstructed,
  primitive,
  requireChild,
  toHex,
  fromHex,
  valueOf,
  type Tlv,
} from '../../common/ber-tlv.js';
import {
  decodeEid,
  decodeIccid,
  DeleteResult,
  DisableResult,
  EnableResult,
  encodeIccid,
  Es10Field,
  Es10Tag,
  NotificationEventBit,
  NotificationSentResult,
  ProfileClassCode,
  resultName,
  SetNicknameResult,
  type NotificationEventName,
  type ProfileClassName,
} from '../../common/es10.js';
import { LpaError } from './errors.js';

/** A profile as ProfileInfo reports it. */
export interface ProfileInfo {
  iccid: string;
  isdpAid: string;
  state: 'enabled' | 'disabled';
  nickname?: string;
  serviceProviderName?: string;
  profileName?: string;
  profileClass?: ProfileClassName;
}

/** Which profile an operation targets: its ICCID or its ISD-P AID. */
export type ProfileTarget = { iccid: string } | { aid: string };

/** A typed ES10 result: the code, its SGP.22 name, and whether it is `ok`. */
export interface Es10Result<N extends string> {
  ok: boolean;
  code: number;
  result: N | `unknown(${number})`;
}

/** NotificationMetadata (SGP.22 §5.7.9): what ListNotification reports. */
export interface NotificationMetadata {
  seqNumber: number;
  event: NotificationEventName;
  notificationAddress: string;
  iccid?: string;
}

/** A PendingNotification (SGP.22 §5.7.10): its metadata plus the signed object, to deliver as is. */
export interface PendingNotification extends NotificationMetadata {
  /** The whole PendingNotification data object (BF37 or 30), DER. */
  encoded: Uint8Array;
  /** The same, base64, for JSON payloads. */
  base64: string;
}

export interface EuiccInfo1 {
  svn: string;
  ciPkIdsForVerification: string[];
  ciPkIdsForSigning: string[];
}

export interface EuiccInfo2 extends EuiccInfo1 {
  profileVersion: string;
  firmwareVersion: string;
  /** Free non-volatile memory in bytes, from extCardResource, when reported. */
  freeNvm?: number;
  installedApplications?: number;
}

const bad = (what: string, cause?: unknown): never => {
  throw new LpaError('LPA_BAD_RESPONSE', what, { cause });
};

/** Runs a decoder, turning codec errors into `LPA_BAD_RESPONSE`. */
function decoding<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BerTlvError) return bad(`${what}: ${e.message}`, e);
    throw e;
  }
}

function expectTag(tlv: Tlv, tag: number, what: string): void {
  if (tlv.tag !== tag) bad(`${what}: expected tag ${tag.toString(16).toUpperCase()}, got ${tlv.tag.toString(16).toUpperCase()}`);
}

function targetTlv(target: ProfileTarget): Tlv {
  try {
    if ('iccid' in target) return primitive(Es10Field.iccid, encodeIccid(target.iccid));
    if (!/^[0-9A-Fa-f]{10,32}$/.test(target.aid)) throw new BerTlvError('bad-value', `not an ISD-P AID: ${target.aid}`);
    return primitive(Es10Field.isdpAid, fromHex(target.aid));
  } catch (e) {
    if (e instanceof BerTlvError) throw new LpaError('LPA_BAD_REQUEST', e.message, { cause: e });
    throw e;
  }
}

// ---- requests ----

export const encodeRequest = {
  /** `BF2D` with an optional tag list `5C` (SGP.22 §5.7.15). */
  profileInfoList(tags?: readonly number[]): Uint8Array {
    return encodeTlv(constructed(Es10Tag.ProfileInfoList, tags ? [primitive(Es10Field.tagList, encodeTagList(tags))] : []));
  },
  /** `BF3E { 5C 5A }`: ask for the EID (SGP.22 §5.7.20). */
  getEuiccData(): Uint8Array {
    return encodeTlv(constructed(Es10Tag.GetEuiccData, [primitive(Es10Field.tagList, [Es10Field.eid])]));
  },
  euiccInfo1(): Uint8Array {
    return encodeTlv(constructed(Es10Tag.EuiccInfo1, []));
  },
  euiccInfo2(): Uint8Array {
    return encodeTlv(constructed(Es10Tag.EuiccInfo2, []));
  },
  /** `BF31 { A0 { 4F | 5A }, 81 refreshFlag }` (SGP.22 §5.7.16). */
  enableProfile(target: ProfileTarget, refresh: boolean): Uint8Array {
    return encodeTlv(constructed(Es10Tag.EnableProfile, [constructed(0xa0, [targetTlv(target)]), primitive(0x81, encodeBoolean(refresh))]));
  },
  /** `BF32 { A0 { 4F | 5A }, 81 refreshFlag }` (SGP.22 §5.7.17). */
  disableProfile(target: ProfileTarget, refresh: boolean): Uint8Array {
    return encodeTlv(constructed(Es10Tag.DisableProfile, [constructed(0xa0, [targetTlv(target)]), primitive(0x81, encodeBoolean(refresh))]));
  },
  /** `BF33 { 4F | 5A }` — a CHOICE, no A0 wrapper (SGP.22 §5.7.18). */
  deleteProfile(target: ProfileTarget): Uint8Array {
    return encodeTlv(constructed(Es10Tag.DeleteProfile, [targetTlv(target)]));
  },
  /** `BF29 { 5A iccid, 90 nickname }` (SGP.22 §5.7.21). */
  setNickname(iccid: string, nickname: string): Uint8Array {
    const bytes = encodeUtf8(nickname);
    if (bytes.length > 64) throw new LpaError('LPA_BAD_REQUEST', 'a nickname is at most 64 bytes of UTF-8');
    return encodeTlv(constructed(Es10Tag.SetNickname, [targetTlv({ iccid }), primitive(Es10Field.profileNickname, bytes)]));
  },
  /** `BF28 { [81 events] }` (SGP.22 §5.7.9). */
  listNotification(events?: readonly NotificationEventName[]): Uint8Array {
    const filter = events && events.length > 0 ? [primitive(0x81, encodeBitString(events.map((e) => NotificationEventBit[e])))] : [];
    return encodeTlv(constructed(Es10Tag.ListNotification, filter));
  },
  /** `BF2B { [A0 { 80 seqNumber }] }` (SGP.22 §5.7.10). */
  retrieveNotificationsList(seqNumber?: number): Uint8Array {
    const criteria = seqNumber === undefined ? [] : [constructed(0xa0, [primitive(0x80, encodeInteger(seqNumber))])];
    return encodeTlv(constructed(Es10Tag.RetrieveNotificationsList, criteria));
  },
  /** `BF30 { 80 seqNumber }` (SGP.22 §5.7.11). */
  notificationSent(seqNumber: number): Uint8Array {
    return encodeTlv(constructed(Es10Tag.NotificationSent, [primitive(0x80, encodeInteger(seqNumber))]));
  },
};

// ---- responses ----

function parse(bytes: Uint8Array, tag: number, what: string): Tlv {
  return decoding(what, () => {
    const tlv = decodeTlv(bytes);
    expectTag(tlv, tag, what);
    if (!isConstructed(tlv)) bad(`${what}: response is not constructed`);
    return tlv;
  });
}

function simpleResult<N extends string>(bytes: Uint8Array, tag: number, table: Record<number, N>, what: string): Es10Result<N> {
  const tlv = parse(bytes, tag, what);
  const code = decoding(what, () => decodeInteger(valueOf(requireChild(tlv, 0x80))));
  return { ok: code === 0, code, result: resultName(table, code) };
}

const utf8Of = (tlv: Tlv, tag: number): string | undefined => {
  const c = findChild(tlv, tag);
  return c ? decodeUtf8(valueOf(c)) : undefined;
};

const classNames = Object.fromEntries(Object.entries(ProfileClassCode).map(([k, v]) => [v, k])) as Record<number, ProfileClassName>;

function eventOf(tlv: Tlv): NotificationEventName {
  const bits = decodeBitString(valueOf(tlv));
  const event = (Object.keys(NotificationEventBit) as NotificationEventName[]).find((e) => bits.includes(NotificationEventBit[e]));
  return event ?? bad(`notification event bits ${JSON.stringify(bits)} name no known event`);
}

function metadataOf(tlv: Tlv): NotificationMetadata {
  expectTag(tlv, Es10Tag.NotificationMetadata, 'NotificationMetadata');
  const iccid = findChild(tlv, Es10Field.iccid);
  return {
    seqNumber: decodeInteger(valueOf(requireChild(tlv, 0x80))),
    event: eventOf(requireChild(tlv, 0x81)),
    notificationAddress: decodeUtf8(valueOf(requireChild(tlv, Es10Field.notificationAddress))),
    ...(iccid ? { iccid: decodeIccid(valueOf(iccid)) } : {}),
  };
}

const version = (tlv: Tlv | undefined): string => (tlv ? Array.from(valueOf(tlv)).join('.') : '');
const pkIds = (tlv: Tlv | undefined): string[] => (tlv ? findChildren(tlv, 0x04).map((c) => toHex(valueOf(c))) : []);

export const decodeResponse = {
  profileInfoList(bytes: Uint8Array): ProfileInfo[] {
    const tlv = parse(bytes, Es10Tag.ProfileInfoList, 'ProfileInfoListResponse');
    return decoding('ProfileInfoListResponse', () => {
      const error = findChild(tlv, 0x81);
      if (error) bad(`ProfileInfoListResponse error ${decodeInteger(valueOf(error))}`);
      return findChildren(requireChild(tlv, 0xa0), Es10Field.profileInfo).map((p): ProfileInfo => {
        const state = findChild(p, Es10Field.profileState);
        const cls = findChild(p, Es10Field.profileClass);
        const aid = findChild(p, Es10Field.isdpAid);
        const nickname = utf8Of(p, Es10Field.profileNickname);
        const provider = utf8Of(p, Es10Field.serviceProviderName);
        const name = utf8Of(p, Es10Field.profileName);
        return {
          iccid: decodeIccid(valueOf(requireChild(p, Es10Field.iccid))),
          isdpAid: aid ? toHex(valueOf(aid)) : '',
          state: state && decodeInteger(valueOf(state)) === 1 ? 'enabled' : 'disabled',
          ...(nickname !== undefined ? { nickname } : {}),
          ...(provider !== undefined ? { serviceProviderName: provider } : {}),
          ...(name !== undefined ? { profileName: name } : {}),
          // SGP.22: profileClass DEFAULT operational.
          profileClass: cls ? (classNames[decodeInteger(valueOf(cls))] ?? 'operational') : 'operational',
        };
      });
    });
  },
  getEuiccData(bytes: Uint8Array): string {
    const tlv = parse(bytes, Es10Tag.GetEuiccData, 'GetEuiccDataResponse');
    return decoding('GetEuiccDataResponse', () => decodeEid(valueOf(requireChild(tlv, Es10Field.eid))));
  },
  euiccInfo1(bytes: Uint8Array): EuiccInfo1 {
    const tlv = parse(bytes, Es10Tag.EuiccInfo1, 'EUICCInfo1');
    return decoding('EUICCInfo1', () => ({
      svn: version(findChild(tlv, 0x82)),
      ciPkIdsForVerification: pkIds(findChild(tlv, 0xa9)),
      ciPkIdsForSigning: pkIds(findChild(tlv, 0xaa)),
    }));
  },
  euiccInfo2(bytes: Uint8Array): EuiccInfo2 {
    const tlv = parse(bytes, Es10Tag.EuiccInfo2, 'EUICCInfo2');
    return decoding('EUICCInfo2', () => {
      const ext = findChild(tlv, 0x84);
      const resources = ext ? decodeExtCardResource(valueOf(ext)) : {};
      return {
        profileVersion: version(findChild(tlv, 0x81)),
        svn: version(findChild(tlv, 0x82)),
        firmwareVersion: version(findChild(tlv, 0x83)),
        ciPkIdsForVerification: pkIds(findChild(tlv, 0xa9)),
        ciPkIdsForSigning: pkIds(findChild(tlv, 0xaa)),
        ...resources,
      };
    });
  },
  enableProfile: (bytes: Uint8Array) => simpleResult(bytes, Es10Tag.EnableProfile, EnableResult, 'EnableProfileResponse'),
  disableProfile: (bytes: Uint8Array) => simpleResult(bytes, Es10Tag.DisableProfile, DisableResult, 'DisableProfileResponse'),
  deleteProfile: (bytes: Uint8Array) => simpleResult(bytes, Es10Tag.DeleteProfile, DeleteResult, 'DeleteProfileResponse'),
  setNickname: (bytes: Uint8Array) => simpleResult(bytes, Es10Tag.SetNickname, SetNicknameResult, 'SetNicknameResponse'),
  notificationSent: (bytes: Uint8Array) => simpleResult(bytes, Es10Tag.NotificationSent, NotificationSentResult, 'NotificationSentResponse'),
  listNotification(bytes: Uint8Array): NotificationMetadata[] {
    const tlv = parse(bytes, Es10Tag.ListNotification, 'ListNotificationResponse');
    return decoding('ListNotificationResponse', () => {
      const error = findChild(tlv, 0x81);
      if (error) bad(`ListNotificationResponse error ${decodeInteger(valueOf(error))}`);
      return findChildren(requireChild(tlv, 0xa0), Es10Tag.NotificationMetadata).map(metadataOf);
    });
  },
  /** An empty list for noResultAvailable(1): the searched notification is not (or no longer) there. */
  retrieveNotificationsList(bytes: Uint8Array): PendingNotification[] {
    const tlv = parse(bytes, Es10Tag.RetrieveNotificationsList, 'RetrieveNotificationsListResponse');
    return decoding('RetrieveNotificationsListResponse', () => {
      const error = findChild(tlv, 0x81);
      if (error) {
        const code = decodeInteger(valueOf(error));
        return code === 1 ? [] : bad(`RetrieveNotificationsListResponse error ${code}`);
      }
      return childrenOf(requireChild(tlv, 0xa0)).map(pendingOf);
    });
  },
};

function pendingOf(tlv: Tlv): PendingNotification {
  let metadata: Tlv | undefined;
  if (tlv.tag === Es10Tag.ProfileInstallationResult) {
    metadata = findChild(requireChild(tlv, Es10Tag.ProfileInstallationResultData), Es10Tag.NotificationMetadata);
  } else if (tlv.tag === Es10Field.sequence) {
    metadata = findChild(tlv, Es10Tag.NotificationMetadata);
  }
  if (!metadata) return bad(`PendingNotification ${tlv.tag.toString(16)} carries no NotificationMetadata`);
  const encoded = encodeTlv(tlv);
  return { ...metadataOf(metadata), encoded, base64: Buffer.from(encoded).toString('base64') };
}

function decodeExtCardResource(bytes: Uint8Array): { freeNvm?: number; installedApplications?: number } {
  const items = decodeTlvs(bytes);
  const apps = items.find((t) => t.tag === 0x81);
  const nvm = items.find((t) => t.tag === 0x82);
  return {
    ...(apps ? { installedApplications: unsigned(valueOf(apps)) } : {}),
    ...(nvm ? { freeNvm: unsigned(valueOf(nvm)) } : {}),
  };
}

const unsigned = (b: Uint8Array): number => b.reduce((n, x) => n * 256 + x, 0);
