/**
 * The SGP.22 ES10b / ES9+ data objects of a profile download (§5.5–§5.7, ASN.1 module
 * RSPDefinitions v2.2): encoders that write DER and decoders that keep the received bytes of
 * every signed part (signatures cover exact encodings, never re-encodings).
 *
 * Tags follow the module's tagging rules: AUTOMATIC TAGS, but a SEQUENCE or CHOICE with any
 * explicitly tagged component gets no automatic tags (so AuthenticateServerRequest carries
 * `30 / 5F37 / 04 / 30 / A0` while CtxParamsForCommonAuthentication carries `80 / A1`).
 */
import { BerTlvError, decodeBitString, decodeInteger, decodeUtf8, encodeBitString, encodeInteger, encodeUtf8, fromHex, toHex } from '../ber-tlv.js';
import { decodeIccid, encodeIccid, NotificationEventBit, type NotificationEventName, type ProfileClassName, ProfileClassCode } from '../es10.js';
import { concat, decodeOid, encodeOid, rawChild, rawChildren, readOnly, requireRawChild, wrap, type RawTlv } from './der.js';

export const RspTag = {
  EuiccInfo1: 0xbf20,
  PrepareDownload: 0xbf21,
  EuiccInfo2: 0xbf22,
  InitialiseSecureChannel: 0xbf23,
  ConfigureIsdp: 0xbf24,
  StoreMetadata: 0xbf25,
  ReplaceSessionKeys: 0xbf26,
  ProfileInstallationResultData: 0xbf27,
  GetEuiccChallenge: 0xbf2e,
  NotificationMetadata: 0xbf2f,
  EuiccMemoryReset: 0xbf34,
  BoundProfilePackage: 0xbf36,
  ProfileInstallationResult: 0xbf37,
  AuthenticateServer: 0xbf38,
  EuiccConfiguredAddresses: 0xbf3c,
  SetDefaultDpAddress: 0xbf3f,
  CancelSession: 0xbf41,
  GetRat: 0xbf43,
  signature: 0x5f37,
  otpk: 0x5f49,
} as const;

const u8 = (b: number[]): Uint8Array => Uint8Array.from(b);
const int = (tag: number, n: number): Uint8Array => wrap(tag, encodeInteger(n));
const utf8 = (tag: number, s: string): Uint8Array => wrap(tag, encodeUtf8(s));
const bad = (why: string): never => {
  throw new BerTlvError('bad-value', why);
};
const need = (parent: RawTlv, tag: number): RawTlv => requireRawChild(parent, tag);

// ---- versions, EUICCInfo1 / EUICCInfo2 ----

export type Version = readonly [number, number, number];
const version = (v: Version): Uint8Array => u8([...v]);
const readVersion = (t: RawTlv): Version => {
  if (t.value.length !== 3) bad('VersionType must be 3 bytes');
  return [t.value[0]!, t.value[1]!, t.value[2]!];
};

export interface EuiccInfo1 {
  svn: Version;
  ciPkidsForVerification: Uint8Array[];
  ciPkidsForSigning: Uint8Array[];
}

const pkidList = (tag: number, ids: Uint8Array[]): Uint8Array => wrap(tag, ...ids.map((id) => wrap(0x04, id)));
const readPkids = (t: RawTlv | undefined): Uint8Array[] => (t ? rawChildren(t.value).map((c) => c.value) : []);

export function encodeEuiccInfo1(i: EuiccInfo1): Uint8Array {
  return wrap(RspTag.EuiccInfo1, wrap(0x82, version(i.svn)), pkidList(0xa9, i.ciPkidsForVerification), pkidList(0xaa, i.ciPkidsForSigning));
}

export function decodeEuiccInfo1(bytes: Uint8Array): EuiccInfo1 {
  const t = readOnly(bytes, RspTag.EuiccInfo1);
  return { svn: readVersion(need(t, 0x82)), ciPkidsForVerification: readPkids(rawChild(t, 0xa9)), ciPkidsForSigning: readPkids(rawChild(t, 0xaa)) };
}

/** EUICCInfo2 (SGP.22 §5.7.8) as a card reports it. */
export interface EuiccInfo2 {
  profileVersion: Version;
  svn: Version;
  firmwareVersion: Version;
  /** ETSI TS 102 226 extended card resource: installed applications, free non-volatile and volatile memory. */
  installedApplications: number;
  freeNvm: number;
  freeRam: number;
  /** UICCCapability named bits. */
  uiccCapability: number[];
  ts102241Version?: Version;
  globalPlatformVersion?: Version;
  /** RspCapability named bits: additionalProfile(0), crlSupport(1), rpmSupport(2), testProfileSupport(3). */
  rspCapability: number[];
  ciPkidsForVerification: Uint8Array[];
  ciPkidsForSigning: Uint8Array[];
  /** other(0), basicEuicc(1), mediumEuicc(2), contactlessEuicc(3). */
  category?: number;
  /** PprIds the card refuses: ppr1(1), ppr2(2). */
  forbiddenPprs?: number[];
  ppVersion: Version;
  sasAccreditationNumber: string;
}

const resourceValue = (n: number): Uint8Array => {
  const out: number[] = [];
  for (let v = n; out.length === 0 || v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return u8(out);
};

export function encodeEuiccInfo2(i: EuiccInfo2): Uint8Array {
  const ext = concat(wrap(0x81, resourceValue(i.installedApplications)), wrap(0x82, resourceValue(i.freeNvm)), wrap(0x83, resourceValue(i.freeRam)));
  return wrap(
    RspTag.EuiccInfo2,
    wrap(0x81, version(i.profileVersion)),
    wrap(0x82, version(i.svn)),
    wrap(0x83, version(i.firmwareVersion)),
    wrap(0x84, ext),
    wrap(0x85, encodeBitString(i.uiccCapability)),
    ...(i.ts102241Version ? [wrap(0x86, version(i.ts102241Version))] : []),
    ...(i.globalPlatformVersion ? [wrap(0x87, version(i.globalPlatformVersion))] : []),
    wrap(0x88, encodeBitString(i.rspCapability)),
    pkidList(0xa9, i.ciPkidsForVerification),
    pkidList(0xaa, i.ciPkidsForSigning),
    ...(i.category !== undefined ? [int(0x8b, i.category)] : []),
    ...(i.forbiddenPprs ? [wrap(0x99, encodeBitString(i.forbiddenPprs, 3))] : []),
    wrap(0x04, version(i.ppVersion)),
    utf8(0x0c, i.sasAccreditationNumber),
  );
}

export function decodeEuiccInfo2(bytes: Uint8Array): EuiccInfo2 {
  const t = readOnly(bytes, RspTag.EuiccInfo2);
  const ext = new Map(rawChildren(need(t, 0x84).value).map((c) => [c.tag, c.value.reduce((n, b) => n * 256 + b, 0)]));
  const opt = (tag: number): Version | undefined => {
    const c = rawChild(t, tag);
    return c ? readVersion(c) : undefined;
  };
  const category = rawChild(t, 0x8b);
  const forbidden = rawChild(t, 0x99);
  const ts = opt(0x86);
  const gp = opt(0x87);
  return {
    profileVersion: readVersion(need(t, 0x81)),
    svn: readVersion(need(t, 0x82)),
    firmwareVersion: readVersion(need(t, 0x83)),
    installedApplications: ext.get(0x81) ?? 0,
    freeNvm: ext.get(0x82) ?? 0,
    freeRam: ext.get(0x83) ?? 0,
    uiccCapability: decodeBitString(need(t, 0x85).value),
    ...(ts ? { ts102241Version: ts } : {}),
    ...(gp ? { globalPlatformVersion: gp } : {}),
    rspCapability: decodeBitString(need(t, 0x88).value),
    ciPkidsForVerification: readPkids(rawChild(t, 0xa9)),
    ciPkidsForSigning: readPkids(rawChild(t, 0xaa)),
    ...(category ? { category: decodeInteger(category.value) } : {}),
    ...(forbidden ? { forbiddenPprs: decodeBitString(forbidden.value) } : {}),
    ppVersion: readVersion(need(t, 0x04)),
    sasAccreditationNumber: decodeUtf8(need(t, 0x0c).value),
  };
}

// ---- common authentication (§3.1.2, §5.7.13) ----

export interface ServerSigned1 {
  transactionId: Uint8Array;
  euiccChallenge: Uint8Array;
  serverAddress: string;
  serverChallenge: Uint8Array;
}

export function encodeServerSigned1(s: ServerSigned1): Uint8Array {
  return wrap(0x30, wrap(0x80, s.transactionId), wrap(0x81, s.euiccChallenge), utf8(0x83, s.serverAddress), wrap(0x84, s.serverChallenge));
}

export function decodeServerSigned1(t: RawTlv): ServerSigned1 {
  if (t.tag !== 0x30) bad('serverSigned1 must be a SEQUENCE');
  const s = {
    transactionId: need(t, 0x80).value,
    euiccChallenge: need(t, 0x81).value,
    serverAddress: decodeUtf8(need(t, 0x83).value),
    serverChallenge: need(t, 0x84).value,
  };
  if (s.transactionId.length < 1 || s.transactionId.length > 16) bad('transactionId must be 1..16 bytes');
  if (s.euiccChallenge.length !== 16 || s.serverChallenge.length !== 16) bad('challenges are 16 bytes');
  return s;
}

export interface DeviceInfo {
  /** Type allocation code: the first 8 IMEI digits as 4 BCD bytes. */
  tac: Uint8Array;
  /** DeviceCapabilities: tag (80..8A, see SGP.22) → release. */
  capabilities: { eutranEpcSupportedRelease?: Version; gsmSupportedRelease?: Version; nrEpcSupportedRelease?: Version };
  /** IMEI as 8 bytes (TS 24.008 BCD), optional. */
  imei?: Uint8Array;
}

export interface CtxParams1 {
  matchingId?: string;
  deviceInfo: DeviceInfo;
}

/** IMEI digits → 8 bytes of swapped-nibble BCD with an `F` filler (3GPP TS 24.008 §10.5.1.4 style, as LPAs send it). */
export function encodeImei(imei: string): Uint8Array {
  if (!/^\d{14,16}$/.test(imei)) bad(`IMEI must be 14..16 digits: ${imei}`);
  const digits = imei.padEnd(16, 'F');
  let hex = '';
  for (let i = 0; i < 16; i += 2) hex += digits[i + 1]! + digits[i]!;
  return fromHex(hex);
}

export function decodeImei(bytes: Uint8Array): string {
  const h = toHex(bytes);
  let out = '';
  for (let i = 0; i < h.length; i += 2) out += h[i + 1]! + h[i]!;
  return out.replace(/F+$/, '');
}

/** DeviceInfo from an IMEI: TAC = its first 8 digits. */
export function deviceInfoFromImei(imei: string | undefined, eutran: Version = [13, 0, 0]): DeviceInfo {
  const full = imei ? encodeImei(imei) : undefined;
  return { tac: full ? full.slice(0, 4) : u8([0x35, 0x29, 0x06, 0x11]), capabilities: { eutranEpcSupportedRelease: eutran }, ...(full ? { imei: full } : {}) };
}

export function encodeCtxParams1(c: CtxParams1): Uint8Array {
  const caps = c.deviceInfo.capabilities;
  const capBytes = concat(
    ...(caps.gsmSupportedRelease ? [wrap(0x80, version(caps.gsmSupportedRelease))] : []),
    ...(caps.eutranEpcSupportedRelease ? [wrap(0x85, version(caps.eutranEpcSupportedRelease))] : []),
    ...(caps.nrEpcSupportedRelease ? [wrap(0x88, version(caps.nrEpcSupportedRelease))] : []),
  );
  const device = wrap(0xa1, wrap(0x80, c.deviceInfo.tac), wrap(0xa1, capBytes), ...(c.deviceInfo.imei ? [wrap(0x82, c.deviceInfo.imei)] : []));
  return wrap(0xa0, ...(c.matchingId !== undefined ? [utf8(0x80, c.matchingId)] : []), device);
}

export function decodeCtxParams1(t: RawTlv): CtxParams1 {
  if (t.tag !== 0xa0) bad('ctxParams1 must be ctxParamsForCommonAuthentication [0]');
  const m = rawChild(t, 0x80);
  const d = need(t, 0xa1);
  const tac = need(d, 0x80).value;
  if (tac.length !== 4) bad('TAC must be 4 bytes');
  const caps = rawChild(d, 0xa1);
  const imei = rawChild(d, 0x82);
  const cap = (tag: number): Version | undefined => {
    const c = caps ? rawChild(caps, tag) : undefined;
    return c ? readVersion(c) : undefined;
  };
  const eutran = cap(0x85);
  return {
    ...(m ? { matchingId: decodeUtf8(m.value) } : {}),
    deviceInfo: { tac, capabilities: eutran ? { eutranEpcSupportedRelease: eutran } : {}, ...(imei ? { imei: imei.value } : {}) },
  };
}

/** AuthenticateServerRequest (ES10b, §5.7.13): the server's signed parts as received, plus ctxParams1. */
export function encodeAuthenticateServerRequest(parts: { serverSigned1: Uint8Array; serverSignature1: Uint8Array; euiccCiPkidToBeUsed: Uint8Array; serverCertificate: Uint8Array; ctxParams1: Uint8Array }): Uint8Array {
  return wrap(RspTag.AuthenticateServer, parts.serverSigned1, parts.serverSignature1, parts.euiccCiPkidToBeUsed, parts.serverCertificate, parts.ctxParams1);
}

export interface AuthenticateServerRequest {
  serverSigned1: RawTlv;
  /** The 5F37 data object. */
  serverSignature1: RawTlv;
  euiccCiPkidToBeUsed: Uint8Array;
  serverCertificate: Uint8Array;
  ctxParams1: RawTlv;
}

export function decodeAuthenticateServerRequest(t: RawTlv): AuthenticateServerRequest {
  const c = rawChildren(t.value);
  if (c.length < 5 || c[0]!.tag !== 0x30 || c[1]!.tag !== RspTag.signature || c[2]!.tag !== 0x04 || c[3]!.tag !== 0x30 || c[4]!.tag !== 0xa0) bad('AuthenticateServerRequest structure');
  return { serverSigned1: c[0]!, serverSignature1: c[1]!, euiccCiPkidToBeUsed: c[2]!.value, serverCertificate: c[3]!.raw, ctxParams1: c[4]! };
}

/** EuiccSigned1 (§5.7.13): what the card signs in its AuthenticateServer response. */
export function encodeEuiccSigned1(s: { transactionId: Uint8Array; serverAddress: string; serverChallenge: Uint8Array; euiccInfo2: Uint8Array; ctxParams1: Uint8Array }): Uint8Array {
  return wrap(0x30, wrap(0x80, s.transactionId), utf8(0x83, s.serverAddress), wrap(0x84, s.serverChallenge), s.euiccInfo2, s.ctxParams1);
}

export interface EuiccSigned1 {
  raw: Uint8Array;
  transactionId: Uint8Array;
  serverAddress: string;
  serverChallenge: Uint8Array;
  euiccInfo2: Uint8Array;
  ctxParams1: CtxParams1;
}

export function decodeEuiccSigned1(t: RawTlv): EuiccSigned1 {
  return {
    raw: t.raw,
    transactionId: need(t, 0x80).value,
    serverAddress: decodeUtf8(need(t, 0x83).value),
    serverChallenge: need(t, 0x84).value,
    euiccInfo2: need(t, RspTag.EuiccInfo2).raw,
    ctxParams1: decodeCtxParams1(need(t, 0xa0)),
  };
}

/** AuthenticateErrorCode (§5.7.13). */
export const AuthenticateErrorCode = {
  invalidCertificate: 1,
  invalidSignature: 2,
  unsupportedCurve: 3,
  noSessionContext: 4,
  invalidOid: 5,
  euiccChallengeMismatch: 6,
  ciPKUnknown: 7,
  undefinedError: 127,
} as const;

export type AuthenticateServerResponse =
  | { ok: true; euiccSigned1: EuiccSigned1; euiccSignature1: RawTlv; euiccCertificate: Uint8Array; eumCertificate: Uint8Array }
  | { ok: false; transactionId: Uint8Array; error: number };

export function encodeAuthenticateServerOk(euiccSigned1: Uint8Array, signature: Uint8Array, euiccCertificate: Uint8Array, eumCertificate: Uint8Array): Uint8Array {
  return wrap(RspTag.AuthenticateServer, wrap(0xa0, euiccSigned1, wrap(RspTag.signature, signature), euiccCertificate, eumCertificate));
}

export function encodeAuthenticateServerError(transactionId: Uint8Array, code: number): Uint8Array {
  return wrap(RspTag.AuthenticateServer, wrap(0xa1, wrap(0x80, transactionId), int(0x02, code)));
}

export function decodeAuthenticateServerResponse(bytes: Uint8Array): AuthenticateServerResponse {
  const t = readOnly(bytes, RspTag.AuthenticateServer);
  const [choice] = rawChildren(t.value);
  if (choice?.tag === 0xa1) return { ok: false, transactionId: need(choice, 0x80).value, error: decodeInteger(need(choice, 0x02).value) };
  if (choice?.tag !== 0xa0) return bad('AuthenticateServerResponse: neither ok nor error');
  const c = rawChildren(choice.value);
  if (c.length < 4 || c[0]!.tag !== 0x30 || c[1]!.tag !== RspTag.signature || c[2]!.tag !== 0x30 || c[3]!.tag !== 0x30) bad('AuthenticateResponseOk structure');
  return { ok: true, euiccSigned1: decodeEuiccSigned1(c[0]!), euiccSignature1: c[1]!, euiccCertificate: c[2]!.raw, eumCertificate: c[3]!.raw };
}

// ---- PrepareDownload (§5.7.5) ----

export interface SmdpSigned2 {
  transactionId: Uint8Array;
  ccRequired: boolean;
  bppEuiccOtpk?: Uint8Array;
}

export function encodeSmdpSigned2(s: SmdpSigned2): Uint8Array {
  return wrap(0x30, wrap(0x80, s.transactionId), u8([0x01, 0x01, s.ccRequired ? 0xff : 0x00]), ...(s.bppEuiccOtpk ? [wrap(RspTag.otpk, s.bppEuiccOtpk)] : []));
}

export function decodeSmdpSigned2(t: RawTlv): SmdpSigned2 {
  const flag = need(t, 0x01).value;
  if (flag.length !== 1) bad('ccRequiredFlag must be a BOOLEAN');
  const otpk = rawChild(t, RspTag.otpk);
  return { transactionId: need(t, 0x80).value, ccRequired: flag[0] !== 0, ...(otpk ? { bppEuiccOtpk: otpk.value } : {}) };
}

export function encodePrepareDownloadRequest(parts: { smdpSigned2: Uint8Array; smdpSignature2: Uint8Array; hashCc?: Uint8Array; smdpCertificate: Uint8Array }): Uint8Array {
  return wrap(RspTag.PrepareDownload, parts.smdpSigned2, parts.smdpSignature2, ...(parts.hashCc ? [wrap(0x04, parts.hashCc)] : []), parts.smdpCertificate);
}

export interface PrepareDownloadRequest {
  smdpSigned2: RawTlv;
  smdpSignature2: RawTlv;
  hashCc?: Uint8Array;
  smdpCertificate: Uint8Array;
}

export function decodePrepareDownloadRequest(t: RawTlv): PrepareDownloadRequest {
  const c = rawChildren(t.value);
  if (c[0]?.tag !== 0x30 || c[1]?.tag !== RspTag.signature) bad('PrepareDownloadRequest structure');
  const hash = c[2]?.tag === 0x04 ? c[2] : undefined;
  const cert = c[hash ? 3 : 2];
  if (cert?.tag !== 0x30) bad('PrepareDownloadRequest: smdpCertificate missing');
  if (hash && hash.value.length !== 32) bad('hashCc must be 32 bytes');
  return { smdpSigned2: c[0]!, smdpSignature2: c[1]!, ...(hash ? { hashCc: hash.value } : {}), smdpCertificate: cert!.raw };
}

/** DownloadErrorCode (§5.7.5). */
export const DownloadErrorCode = { invalidCertificate: 1, invalidSignature: 2, unsupportedCurve: 3, noSessionContext: 4, invalidTransactionId: 5, undefinedError: 127 } as const;

export function encodeEuiccSigned2(s: { transactionId: Uint8Array; euiccOtpk: Uint8Array; hashCc?: Uint8Array }): Uint8Array {
  return wrap(0x30, wrap(0x80, s.transactionId), wrap(RspTag.otpk, s.euiccOtpk), ...(s.hashCc ? [wrap(0x04, s.hashCc)] : []));
}

export type PrepareDownloadResponse =
  | { ok: true; euiccSigned2: RawTlv; transactionId: Uint8Array; euiccOtpk: Uint8Array; hashCc?: Uint8Array; euiccSignature2: RawTlv }
  | { ok: false; transactionId: Uint8Array; error: number };

export function encodePrepareDownloadOk(euiccSigned2: Uint8Array, signature: Uint8Array): Uint8Array {
  return wrap(RspTag.PrepareDownload, wrap(0xa0, euiccSigned2, wrap(RspTag.signature, signature)));
}

export function encodePrepareDownloadError(transactionId: Uint8Array, code: number): Uint8Array {
  return wrap(RspTag.PrepareDownload, wrap(0xa1, wrap(0x80, transactionId), int(0x02, code)));
}

export function decodePrepareDownloadResponse(bytes: Uint8Array): PrepareDownloadResponse {
  const t = readOnly(bytes, RspTag.PrepareDownload);
  const [choice] = rawChildren(t.value);
  if (choice?.tag === 0xa1) return { ok: false, transactionId: need(choice, 0x80).value, error: decodeInteger(need(choice, 0x02).value) };
  if (choice?.tag !== 0xa0) return bad('PrepareDownloadResponse: neither ok nor error');
  const [signed, sig] = rawChildren(choice.value);
  if (signed?.tag !== 0x30 || sig?.tag !== RspTag.signature) bad('PrepareDownloadResponseOk structure');
  const hash = rawChild(signed!, 0x04);
  return { ok: true, euiccSigned2: signed!, transactionId: need(signed!, 0x80).value, euiccOtpk: need(signed!, RspTag.otpk).value, ...(hash ? { hashCc: hash.value } : {}), euiccSignature2: sig! };
}

// ---- the bound profile package (§2.5.4, §5.5) ----

export interface ControlRefTemplate {
  keyType: number;
  keyLength: number;
  hostId: Uint8Array;
}

/** remoteOpId ‖ transactionId ‖ controlRefTemplate ‖ smdpOtpk: the InitialiseSecureChannel parts that smdpSign covers (with euiccOtpk appended). */
export function initialiseSecureChannelSignedPart(s: { transactionId: Uint8Array; crt: ControlRefTemplate; smdpOtpk: Uint8Array }): Uint8Array {
  return concat(
    int(0x82, 1),
    wrap(0x80, s.transactionId),
    wrap(0xa6, wrap(0x80, u8([s.crt.keyType])), wrap(0x81, u8([s.crt.keyLength])), wrap(0x84, s.crt.hostId)),
    wrap(RspTag.otpk, s.smdpOtpk),
  );
}

export interface InitialiseSecureChannel {
  remoteOpId: number;
  transactionId: Uint8Array;
  crt: ControlRefTemplate;
  smdpOtpk: Uint8Array;
  smdpSign: Uint8Array;
  /** Bytes smdpSign covers, before euiccOtpk is appended. */
  signedPart: Uint8Array;
}

export function decodeInitialiseSecureChannel(t: RawTlv): InitialiseSecureChannel {
  if (t.tag !== RspTag.InitialiseSecureChannel) bad('InitialiseSecureChannelRequest expected');
  const c = rawChildren(t.value);
  const sign = c.findIndex((x) => x.tag === RspTag.signature);
  if (sign < 0) bad('smdpSign missing');
  const crt = need(t, 0xa6);
  const keyType = need(crt, 0x80).value;
  const keyLength = need(crt, 0x81).value;
  if (keyType.length !== 1 || keyLength.length !== 1) bad('CRT keyType / keyLen are one byte');
  return {
    remoteOpId: decodeInteger(need(t, 0x82).value),
    transactionId: need(t, 0x80).value,
    crt: { keyType: keyType[0]!, keyLength: keyLength[0]!, hostId: need(crt, 0x84).value },
    smdpOtpk: need(t, RspTag.otpk).value,
    smdpSign: c[sign]!.value,
    signedPart: concat(...c.slice(0, sign).map((x) => x.raw)),
  };
}

/** ProfileMetadata / StoreMetadataRequest (§5.5.3). */
export interface ProfileMetadata {
  iccid: string;
  serviceProviderName: string;
  profileName: string;
  profileClass?: ProfileClassName;
  /** Where the card sends enable / disable / delete notifications (install goes to the SM-DP+ of the download). */
  notificationConfiguration?: { event: NotificationEventName; address: string }[];
  /** PprIds: ppr1 (1) disabling not allowed, ppr2 (2) deletion not allowed. */
  profilePolicyRules?: number[];
}

export function encodeStoreMetadata(m: ProfileMetadata): Uint8Array {
  const nci = m.notificationConfiguration ?? [];
  return wrap(
    RspTag.StoreMetadata,
    wrap(0x5a, encodeIccid(m.iccid)),
    utf8(0x91, m.serviceProviderName),
    utf8(0x92, m.profileName),
    ...(m.profileClass && m.profileClass !== 'operational' ? [int(0x95, ProfileClassCode[m.profileClass])] : []),
    ...(nci.length ? [wrap(0xb6, ...nci.map((n) => wrap(0x30, wrap(0x80, encodeBitString([NotificationEventBit[n.event]])), utf8(0x81, n.address))))] : []),
    ...(m.profilePolicyRules?.length ? [wrap(0x99, encodeBitString(m.profilePolicyRules, 3))] : []),
  );
}

export function decodeStoreMetadata(bytes: Uint8Array): ProfileMetadata {
  const t = readOnly(bytes, RspTag.StoreMetadata);
  const cls = rawChild(t, 0x95);
  const nci = rawChild(t, 0xb6);
  const ppr = rawChild(t, 0x99);
  const events = Object.entries(NotificationEventBit) as [NotificationEventName, number][];
  const code = cls ? decodeInteger(cls.value) : 2;
  const profileClass = (Object.entries(ProfileClassCode).find(([, v]) => v === code)?.[0] ?? bad(`profile class ${code}`)) as ProfileClassName;
  const spn = decodeUtf8(need(t, 0x91).value);
  const name = decodeUtf8(need(t, 0x92).value);
  if (new TextEncoder().encode(spn).length > 32 || new TextEncoder().encode(name).length > 64) bad('service provider name ≤ 32 bytes, profile name ≤ 64 bytes');
  return {
    iccid: decodeIccid(need(t, 0x5a).value),
    serviceProviderName: spn,
    profileName: name,
    profileClass,
    notificationConfiguration: nci
      ? rawChildren(nci.value).flatMap((n) => {
          const bits = decodeBitString(need(n, 0x80).value);
          const address = decodeUtf8(need(n, 0x81).value);
          return events.filter(([, bit]) => bits.includes(bit)).map(([event]) => ({ event, address }));
        })
      : [],
    profilePolicyRules: ppr ? decodeBitString(ppr.value) : [],
  };
}

export function encodeConfigureIsdp(dpOid?: string): Uint8Array {
  return wrap(RspTag.ConfigureIsdp, ...(dpOid ? [wrap(0xb8, wrap(0x06, encodeOid(dpOid)))] : []));
}

export function encodeReplaceSessionKeys(k: { initialMcv: Uint8Array; ppkEnc: Uint8Array; ppkCmac: Uint8Array }): Uint8Array {
  return wrap(RspTag.ReplaceSessionKeys, wrap(0x80, k.initialMcv), wrap(0x81, k.ppkEnc), wrap(0x82, k.ppkCmac));
}

export function decodeReplaceSessionKeys(bytes: Uint8Array): { initialMcv: Uint8Array; sEnc: Uint8Array; sMac: Uint8Array } {
  const t = readOnly(bytes, RspTag.ReplaceSessionKeys);
  const k = { initialMcv: need(t, 0x80).value, sEnc: need(t, 0x81).value, sMac: need(t, 0x82).value };
  if (k.initialMcv.length !== 16 || k.sEnc.length !== 16 || k.sMac.length !== 16) bad('ReplaceSessionKeys values are 16 bytes');
  return k;
}

/** The parts of a bound profile package: InitialiseSecureChannel and the four sequences of protected segments. */
export interface BoundProfilePackage {
  initialiseSecureChannel: Uint8Array;
  configureIsdp: Uint8Array[];
  storeMetadata: Uint8Array[];
  replaceSessionKeys?: Uint8Array[];
  profileElements: Uint8Array[];
}

export function encodeBoundProfilePackage(b: BoundProfilePackage): Uint8Array {
  return wrap(
    RspTag.BoundProfilePackage,
    b.initialiseSecureChannel,
    wrap(0xa0, ...b.configureIsdp),
    wrap(0xa1, ...b.storeMetadata),
    ...(b.replaceSessionKeys ? [wrap(0xa2, ...b.replaceSessionKeys)] : []),
    wrap(0xa3, ...b.profileElements),
  );
}

/**
 * The ES10b.LoadBoundProfilePackage commands of a BPP, in the order the LPA sends them
 * (SGP.22 §2.5.5, as lpac's es10b segments it): `BF36 L` + InitialiseSecureChannel; the whole
 * `A0`; the `A1` header, then each `88`; the whole `A2` when present; the `A3` header, then each `86`.
 */
export function segmentBoundProfilePackage(bytes: Uint8Array): Uint8Array[] {
  const bpp = readOnly(bytes, RspTag.BoundProfilePackage);
  const parts = rawChildren(bpp.value);
  const isc = parts[0];
  if (isc?.tag !== RspTag.InitialiseSecureChannel) bad('BPP must start with InitialiseSecureChannel');
  const out: Uint8Array[] = [bytes.subarray(0, bpp.headerLength + isc!.raw.length)];
  const expect = (t: RawTlv | undefined, tag: number): RawTlv => (t?.tag === tag ? t : bad(`BPP: ${tag.toString(16)} expected`));
  let i = 1;
  out.push(expect(parts[i++], 0xa0).raw);
  const a1 = expect(parts[i++], 0xa1);
  out.push(a1.raw.subarray(0, a1.headerLength), ...rawChildren(a1.value).map((c) => c.raw));
  if (parts[i]?.tag === 0xa2) out.push(parts[i++]!.raw);
  const a3 = expect(parts[i++], 0xa3);
  out.push(a3.raw.subarray(0, a3.headerLength), ...rawChildren(a3.value).map((c) => c.raw));
  if (i !== parts.length) bad('BPP has trailing parts');
  return out;
}

// ---- results and notifications ----

/** BppCommandId (§5.7.6). */
export const BppCommandId = { initialiseSecureChannel: 0, configureISDP: 1, storeMetadata: 2, storeMetadata2: 3, replaceSessionKeys: 4, loadProfileElements: 5 } as const;

/** ErrorReason of a ProfileInstallationResult (§5.7.6). */
export const InstallErrorReason = {
  incorrectInputValues: 1,
  invalidSignature: 2,
  invalidTransactionId: 3,
  unsupportedCrtValues: 4,
  unsupportedRemoteOperationType: 5,
  unsupportedProfileClass: 6,
  scp03tStructureError: 7,
  scp03tSecurityError: 8,
  installFailedDueToIccidAlreadyExistsOnEuicc: 9,
  installFailedDueToInsufficientMemoryForProfile: 10,
  installFailedDueToInterruption: 11,
  installFailedDueToPEProcessingError: 12,
  installFailedDueToDataMismatch: 13,
  testProfileInstallFailedDueToInvalidNaaKey: 14,
  pprNotAllowed: 15,
  installFailedDueToUnknownError: 127,
} as const;

export function nameOf<T extends Record<string, number>>(table: T, code: number): string {
  return Object.entries(table).find(([, v]) => v === code)?.[0] ?? `unknown(${code})`;
}

export interface NotificationMetadataValue {
  seqNumber: number;
  event: NotificationEventName;
  notificationAddress: string;
  iccid?: string;
}

export function encodeNotificationMetadata(n: NotificationMetadataValue): Uint8Array {
  return wrap(
    RspTag.NotificationMetadata,
    int(0x80, n.seqNumber),
    wrap(0x81, encodeBitString([NotificationEventBit[n.event]])),
    utf8(0x0c, n.notificationAddress),
    ...(n.iccid ? [wrap(0x5a, encodeIccid(n.iccid))] : []),
  );
}

export function decodeNotificationMetadata(t: RawTlv): NotificationMetadataValue {
  const bits = decodeBitString(need(t, 0x81).value);
  const event = (Object.entries(NotificationEventBit) as [NotificationEventName, number][]).find(([, b]) => bits.length === 1 && bits[0] === b)?.[0];
  if (!event) bad('profileManagementOperation must have exactly one known bit');
  const iccid = rawChild(t, 0x5a);
  return { seqNumber: decodeInteger(need(t, 0x80).value), event: event!, notificationAddress: decodeUtf8(need(t, 0x0c).value), ...(iccid ? { iccid: decodeIccid(iccid.value) } : {}) };
}

export type FinalResult = { ok: true; isdpAid: Uint8Array } | { ok: false; bppCommandId: number; errorReason: number };

export function encodeProfileInstallationResultData(d: { transactionId: Uint8Array; metadata: NotificationMetadataValue; smdpOid: string; result: FinalResult }): Uint8Array {
  const final = d.result.ok
    ? wrap(0xa0, wrap(0x4f, d.result.isdpAid), wrap(0x04, new Uint8Array(0)))
    : wrap(0xa1, int(0x80, d.result.bppCommandId), int(0x81, d.result.errorReason));
  return wrap(RspTag.ProfileInstallationResultData, wrap(0x80, d.transactionId), encodeNotificationMetadata(d.metadata), wrap(0x06, encodeOid(d.smdpOid)), wrap(0xa2, final));
}

export function encodeProfileInstallationResult(data: Uint8Array, signature: Uint8Array): Uint8Array {
  return wrap(RspTag.ProfileInstallationResult, data, wrap(RspTag.signature, signature));
}

export interface ProfileInstallationResult {
  data: RawTlv;
  transactionId: Uint8Array;
  metadata: NotificationMetadataValue;
  smdpOid: string;
  result: FinalResult;
  signature: Uint8Array;
}

export function decodeProfileInstallationResult(t: RawTlv): ProfileInstallationResult {
  if (t.tag !== RspTag.ProfileInstallationResult) bad('ProfileInstallationResult expected');
  const data = need(t, RspTag.ProfileInstallationResultData);
  const final = rawChildren(need(data, 0xa2).value)[0];
  const result: FinalResult =
    final?.tag === 0xa0
      ? { ok: true, isdpAid: need(final, 0x4f).value }
      : final?.tag === 0xa1
        ? { ok: false, bppCommandId: decodeInteger(need(final, 0x80).value), errorReason: decodeInteger(need(final, 0x81).value) }
        : bad('finalResult must be success or error');
  return {
    data,
    transactionId: need(data, 0x80).value,
    metadata: decodeNotificationMetadata(need(data, RspTag.NotificationMetadata)),
    smdpOid: decodeOid(need(data, 0x06).value),
    result,
    signature: need(t, RspTag.signature).value,
  };
}

/** OtherSignedNotification (§5.7.10): enable / disable / delete, signed by the eUICC, with its certificate chain. */
export function encodeOtherSignedNotification(tbs: Uint8Array, signature: Uint8Array, euiccCertificate: Uint8Array, eumCertificate: Uint8Array): Uint8Array {
  return wrap(0x30, tbs, wrap(RspTag.signature, signature), euiccCertificate, eumCertificate);
}

export type PendingNotificationValue =
  | { kind: 'install'; pir: ProfileInstallationResult; raw: Uint8Array }
  | { kind: 'other'; tbs: RawTlv; metadata: NotificationMetadataValue; signature: Uint8Array; euiccCertificate: Uint8Array; eumCertificate: Uint8Array; raw: Uint8Array };

export function decodePendingNotification(bytes: Uint8Array): PendingNotificationValue {
  const t = readOnly(bytes);
  if (t.tag === RspTag.ProfileInstallationResult) return { kind: 'install', pir: decodeProfileInstallationResult(t), raw: t.raw };
  if (t.tag !== 0x30) return bad('PendingNotification: neither a ProfileInstallationResult nor an OtherSignedNotification');
  const [tbs, sig, euicc, eum] = rawChildren(t.value);
  if (tbs?.tag !== RspTag.NotificationMetadata || sig?.tag !== RspTag.signature || euicc?.tag !== 0x30 || eum?.tag !== 0x30) bad('OtherSignedNotification structure');
  return { kind: 'other', tbs: tbs!, metadata: decodeNotificationMetadata(tbs!), signature: sig!.value, euiccCertificate: euicc!.raw, eumCertificate: eum!.raw, raw: t.raw };
}

// ---- CancelSession (§5.7.14) ----

export const CancelSessionReason = { endUserRejection: 0, postponed: 1, timeout: 2, pprNotAllowed: 3, metadataMismatch: 4, loadBppExecutionError: 5, undefinedReason: 127 } as const;
export type CancelSessionReasonName = keyof typeof CancelSessionReason;

export function encodeCancelSessionRequest(transactionId: Uint8Array, reason: number): Uint8Array {
  return wrap(RspTag.CancelSession, wrap(0x80, transactionId), int(0x81, reason));
}

export function decodeCancelSessionRequest(t: RawTlv): { transactionId: Uint8Array; reason: number } {
  return { transactionId: need(t, 0x80).value, reason: decodeInteger(need(t, 0x81).value) };
}

export function encodeEuiccCancelSessionSigned(s: { transactionId: Uint8Array; smdpOid: string; reason: number }): Uint8Array {
  return wrap(0x30, wrap(0x80, s.transactionId), wrap(0x81, encodeOid(s.smdpOid)), int(0x82, s.reason));
}

export function encodeCancelSessionOk(signed: Uint8Array, signature: Uint8Array): Uint8Array {
  return wrap(RspTag.CancelSession, wrap(0xa0, signed, wrap(RspTag.signature, signature)));
}

export function encodeCancelSessionError(code: number): Uint8Array {
  return wrap(RspTag.CancelSession, int(0x81, code));
}

export type CancelSessionResponse =
  | { ok: true; signed: RawTlv; transactionId: Uint8Array; smdpOid: string; reason: number; signature: Uint8Array }
  | { ok: false; error: number };

export function decodeCancelSessionResponse(bytes: Uint8Array): CancelSessionResponse {
  const t = readOnly(bytes, RspTag.CancelSession);
  const [choice] = rawChildren(t.value);
  if (choice?.tag === 0x81) return { ok: false, error: decodeInteger(choice.value) };
  if (choice?.tag !== 0xa0) return bad('CancelSessionResponse: neither ok nor error');
  const [signed, sig] = rawChildren(choice.value);
  if (signed?.tag !== 0x30 || sig?.tag !== RspTag.signature) bad('CancelSessionResponseOk structure');
  return { ok: true, signed: signed!, transactionId: need(signed!, 0x80).value, smdpOid: decodeOid(need(signed!, 0x81).value), reason: decodeInteger(need(signed!, 0x82).value), signature: sig!.value };
}
