/**
 * The ES10 functions of the simulated ISD-R (SGP.22 §5.7), one per request tag, over the card's
 * state. Each handler reads a decoded request and returns the response data object; changes to
 * the state are made in place and reported so the card can persist them and refresh the terminal.
 */
import { createHmac } from 'node:crypto';
import {
  BerTlvError,
  constructed,
  decodeBitString,
  decodeBoolean,
  decodeInteger,
  decodeTagList,
  decodeUtf8,
  encodeBitString,
  encodeInteger,
  encodeTlv,
  encodeTlvs,
  encodeUtf8,
  findChild,
  fromHex,
  isConstructed,
  primitive,
  valueOf,
  type Tlv,
} from '../../common/ber-tlv.js';
import {
  decodeIccid,
  encodeEid,
  encodeIccid,
  Es10Field,
  Es10Tag,
  NotificationEventBit,
  ProfileClassCode,
  ProfileStateCode,
  type NotificationEventName,
} from '../../common/es10.js';
import type { EuiccNotification, EuiccProfile, EuiccState } from './euicc-state.js';

/** Card-level behaviours a test can switch on. */
export interface EuiccQuirks {
  /**
   * The card sends no REFRESH after enable / disable: `onRefresh` does not fire and the terminal
   * keeps seeing the old ICCID / IMSI until the modem power-cycles the SIM (`Euicc.reset()`).
   */
  needsSimPowerCycle: boolean;
  /** The card's toolkit is busy: enable and disable answer catBusy(5). */
  catBusy: boolean;
  /** Every response, however short, comes back as `61xx` and must be fetched with GET RESPONSE. */
  alwaysGetResponse: boolean;
}

export const defaultQuirks = (): EuiccQuirks => ({ needsSimPowerCycle: false, catBusy: false, alwaysGetResponse: false });

/** A request the card refuses at the APDU level (ISO 7816-4 status word). */
export class ApduStatusError extends Error {
  constructor(
    readonly sw: number,
    message: string,
  ) {
    super(message);
  }
}

export const SW = {
  ok: 0x9000,
  wrongLength: 0x6700,
  conditionsNotSatisfied: 0x6985,
  wrongData: 0x6a80,
  notFound: 0x6a82,
  noChannel: 0x6a81,
  wrongP1P2: 0x6a86,
  referencedDataNotFound: 0x6a88,
  channelNotSupported: 0x6881,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
} as const;

export interface Es10Outcome {
  readonly response: Tlv;
  /** The state changed and must be saved. */
  readonly changed: boolean;
  /** The enabled profile changed and the terminal was asked to refresh (refreshFlag set). */
  readonly refresh: boolean;
  /** The enabled profile changed (whether or not a refresh was requested). */
  readonly switched: boolean;
}

export interface Es10Context {
  readonly state: EuiccState;
  readonly quirks: EuiccQuirks;
}

const result = (tag: number, code: number, extra: Partial<Es10Outcome> = {}): Es10Outcome => ({
  response: constructed(tag, [primitive(0x80, encodeInteger(code))]),
  changed: false,
  refresh: false,
  switched: false,
  ...extra,
});

/** Dispatches one decoded ES10 request; an unknown tag is `6A88`. */
export function handleEs10(ctx: Es10Context, request: Tlv): Es10Outcome {
  const handler = handlers[request.tag];
  if (!handler) throw new ApduStatusError(SW.referencedDataNotFound, `unsupported ES10 request ${request.tag.toString(16)}`);
  if (!isConstructed(request)) throw new ApduStatusError(SW.wrongData, 'ES10 request must be constructed');
  return handler(ctx, request);
}

type Handler = (ctx: Es10Context, request: Tlv) => Es10Outcome;

const handlers: Record<number, Handler> = {
  [Es10Tag.ProfileInfoList]: profileInfoList,
  [Es10Tag.EnableProfile]: enableProfile,
  [Es10Tag.DisableProfile]: disableProfile,
  [Es10Tag.DeleteProfile]: deleteProfile,
  [Es10Tag.GetEuiccData]: getEuiccData,
  [Es10Tag.EuiccInfo1]: euiccInfo1,
  [Es10Tag.EuiccInfo2]: euiccInfo2,
  [Es10Tag.ListNotification]: listNotification,
  [Es10Tag.RetrieveNotificationsList]: retrieveNotificationsList,
  [Es10Tag.NotificationSent]: notificationSent,
  [Es10Tag.SetNickname]: setNickname,
};

// ---- profiles ----

function profileInfo(p: EuiccProfile, tags: readonly number[] | undefined): Tlv {
  const all: Tlv[] = [
    primitive(Es10Field.iccid, encodeIccid(p.iccid)),
    primitive(Es10Field.isdpAid, fromHex(p.isdpAid)),
    primitive(Es10Field.profileState, encodeInteger(p.state === 'enabled' ? ProfileStateCode.enabled : ProfileStateCode.disabled)),
    ...(p.nickname !== undefined ? [primitive(Es10Field.profileNickname, encodeUtf8(p.nickname))] : []),
    primitive(Es10Field.serviceProviderName, encodeUtf8(p.serviceProviderName)),
    primitive(Es10Field.profileName, encodeUtf8(p.profileName)),
    primitive(Es10Field.profileClass, encodeInteger(ProfileClassCode[p.profileClass])),
  ];
  return constructed(Es10Field.profileInfo, tags ? all.filter((t) => tags.includes(t.tag)) : all);
}

/** SGP.22 §5.7.15 GetProfilesInfo: optional searchCriteria `A0 {4F | 5A | 95}` and tag list `5C`. */
function profileInfoList({ state }: Es10Context, req: Tlv): Es10Outcome {
  let profiles = state.profiles;
  let tags: number[] | undefined;
  try {
    const criteria = findChild(req, 0xa0);
    if (criteria) {
      const [c] = isConstructed(criteria) ? criteria.children : [];
      if (!c) throw new BerTlvError('bad-value', 'empty searchCriteria');
      if (c.tag === Es10Field.isdpAid) {
        const aid = Buffer.from(valueOf(c)).toString('hex').toUpperCase();
        profiles = profiles.filter((p) => p.isdpAid === aid);
      } else if (c.tag === Es10Field.iccid) {
        const iccid = decodeIccid(valueOf(c));
        profiles = profiles.filter((p) => p.iccid === iccid);
      } else if (c.tag === Es10Field.profileClass) {
        const cls = decodeInteger(valueOf(c));
        profiles = profiles.filter((p) => ProfileClassCode[p.profileClass] === cls);
      } else {
        throw new BerTlvError('bad-value', 'unknown searchCriteria');
      }
    }
    const tagList = findChild(req, Es10Field.tagList);
    if (tagList) tags = decodeTagList(valueOf(tagList));
  } catch (e) {
    if (!(e instanceof BerTlvError)) throw e;
    // profileInfoListError [1] incorrectInputValues(1)
    return { response: constructed(Es10Tag.ProfileInfoList, [primitive(0x81, [1])]), changed: false, refresh: false, switched: false };
  }
  return {
    response: constructed(Es10Tag.ProfileInfoList, [constructed(0xa0, profiles.map((p) => profileInfo(p, tags)))]),
    changed: false,
    refresh: false,
    switched: false,
  };
}

function findProfile(state: EuiccState, id: Tlv | undefined): EuiccProfile | undefined {
  if (!id) return undefined;
  if (id.tag === Es10Field.isdpAid) {
    const aid = Buffer.from(valueOf(id)).toString('hex').toUpperCase();
    return state.profiles.find((p) => p.isdpAid === aid);
  }
  if (id.tag === Es10Field.iccid) {
    const iccid = decodeIccid(valueOf(id));
    return state.profiles.find((p) => p.iccid === iccid);
  }
  return undefined;
}

/** `A0 { 4F | 5A }` then `81` refreshFlag (Enable / Disable, SGP.22 §5.7.16 / §5.7.17). */
function identifiedProfile(state: EuiccState, req: Tlv): { profile: EuiccProfile | undefined; refresh: boolean } {
  try {
    const choice = findChild(req, 0xa0);
    const id = choice && isConstructed(choice) ? choice.children[0] : undefined;
    const flag = findChild(req, 0x81);
    return { profile: findProfile(state, id), refresh: flag ? decodeBoolean(valueOf(flag)) : false };
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
}

export function addNotification(state: EuiccState, event: NotificationEventName, p: EuiccProfile, transactionId?: string): EuiccNotification {
  const n: EuiccNotification = {
    seqNumber: state.nextSeqNumber++,
    event,
    notificationAddress: p.notificationAddress,
    iccid: p.iccid,
    isdpAid: p.isdpAid,
    ...(transactionId ? { transactionId } : {}),
  };
  state.notifications.push(n);
  return n;
}

function enableProfile({ state, quirks }: Es10Context, req: Tlv): Es10Outcome {
  const { profile, refresh } = identifiedProfile(state, req);
  if (!profile) return result(Es10Tag.EnableProfile, 1);
  if (profile.state === 'enabled') return result(Es10Tag.EnableProfile, 2);
  if (quirks.catBusy) return result(Es10Tag.EnableProfile, 5);
  const current = state.profiles.find((p) => p.state === 'enabled');
  if (current?.policy?.disableNotAllowed) return result(Es10Tag.EnableProfile, 3);
  // SGP.22 §3.2.1: enabling implicitly disables the enabled profile; both events are notified.
  if (current) {
    current.state = 'disabled';
    addNotification(state, 'disable', current);
  }
  profile.state = 'enabled';
  addNotification(state, 'enable', profile);
  return result(Es10Tag.EnableProfile, 0, { changed: true, refresh, switched: true });
}

function disableProfile({ state, quirks }: Es10Context, req: Tlv): Es10Outcome {
  const { profile, refresh } = identifiedProfile(state, req);
  if (!profile) return result(Es10Tag.DisableProfile, 1);
  if (profile.state !== 'enabled') return result(Es10Tag.DisableProfile, 2);
  if (quirks.catBusy) return result(Es10Tag.DisableProfile, 5);
  if (profile.policy?.disableNotAllowed) return result(Es10Tag.DisableProfile, 3);
  profile.state = 'disabled';
  addNotification(state, 'disable', profile);
  return result(Es10Tag.DisableProfile, 0, { changed: true, refresh, switched: true });
}

/** SGP.22 §5.7.18: DeleteProfileRequest is a CHOICE, `BF33 { 4F | 5A }`; only a disabled profile. */
function deleteProfile({ state }: Es10Context, req: Tlv): Es10Outcome {
  let profile: EuiccProfile | undefined;
  try {
    profile = findProfile(state, isConstructed(req) ? req.children[0] : undefined);
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  if (!profile) return result(Es10Tag.DeleteProfile, 1);
  if (profile.state !== 'disabled') return result(Es10Tag.DeleteProfile, 2);
  if (profile.policy?.deleteNotAllowed) return result(Es10Tag.DeleteProfile, 3);
  state.profiles = state.profiles.filter((p) => p !== profile);
  addNotification(state, 'delete', profile);
  return result(Es10Tag.DeleteProfile, 0, { changed: true });
}

function setNickname({ state }: Es10Context, req: Tlv): Es10Outcome {
  let iccid: string;
  let nickname: string;
  try {
    iccid = decodeIccid(valueOf(findChild(req, Es10Field.iccid) ?? primitive(Es10Field.iccid, [])));
    nickname = decodeUtf8(valueOf(findChild(req, Es10Field.profileNickname) ?? primitive(0x90, [])));
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  const profile = state.profiles.find((p) => p.iccid === iccid);
  if (!profile) return result(Es10Tag.SetNickname, 1);
  if (encodeUtf8(nickname).length > 64) return result(Es10Tag.SetNickname, 127);
  profile.nickname = nickname;
  return result(Es10Tag.SetNickname, 0, { changed: true });
}

// ---- eUICC data ----

function getEuiccData({ state }: Es10Context): Es10Outcome {
  return {
    response: constructed(Es10Tag.GetEuiccData, [primitive(Es10Field.eid, encodeEid(state.eid))]),
    changed: false,
    refresh: false,
    switched: false,
  };
}

/** The GSMA test CI's subject key identifier: the only CI this simulated card "trusts". */
const TEST_CI_PKID = fromHex('F54172BDF98A95D65CBEB88A38A1C11D800A85C3');
const version = (a: number, b: number, c: number): Uint8Array => Uint8Array.of(a, b, c);

function euiccInfo1(): Es10Outcome {
  return {
    response: constructed(Es10Tag.EuiccInfo1, [
      primitive(0x82, version(2, 2, 2)),
      constructed(0xa9, [primitive(0x04, TEST_CI_PKID)]),
      constructed(0xaa, [primitive(0x04, TEST_CI_PKID)]),
    ]),
    changed: false,
    refresh: false,
    switched: false,
  };
}

function euiccInfo2({ state }: Es10Context): Es10Outcome {
  // extCardResource (ETSI TS 102 226 §8.2.1.3.2.1): 81 installed applications, 82 free NVM.
  const ext = encodeTlvs([primitive(0x81, encodeInteger(state.profiles.length)), primitive(0x82, Uint8Array.of(0x00, 0x04, 0x00, 0x00))]);
  return {
    response: constructed(Es10Tag.EuiccInfo2, [
      primitive(0x81, version(2, 3, 1)),
      primitive(0x82, version(2, 2, 2)),
      primitive(0x83, version(1, 0, 0)),
      primitive(0x84, ext),
      primitive(0x85, encodeBitString([])),
      primitive(0x88, encodeBitString([0])),
      constructed(0xa9, [primitive(0x04, TEST_CI_PKID)]),
      constructed(0xaa, [primitive(0x04, TEST_CI_PKID)]),
      primitive(0x04, version(0, 0, 1)),
      primitive(0x0c, encodeUtf8('CELLGATE-SIMULATED')),
    ]),
    changed: false,
    refresh: false,
    switched: false,
  };
}

// ---- notifications (SGP.22 §5.7.9 .. §5.7.11) ----

export function notificationMetadata(n: EuiccNotification): Tlv {
  return constructed(Es10Tag.NotificationMetadata, [
    primitive(0x80, encodeInteger(n.seqNumber)),
    primitive(0x81, encodeBitString([NotificationEventBit[n.event]])),
    primitive(Es10Field.notificationAddress, encodeUtf8(n.notificationAddress)),
    primitive(Es10Field.iccid, encodeIccid(n.iccid)),
  ]);
}

function eventFilter(tlv: Tlv | undefined): NotificationEventName[] | undefined {
  if (!tlv) return undefined;
  const bits = decodeBitString(valueOf(tlv));
  return (Object.keys(NotificationEventBit) as NotificationEventName[]).filter((e) => bits.includes(NotificationEventBit[e]));
}

function listNotification({ state }: Es10Context, req: Tlv): Es10Outcome {
  let events: NotificationEventName[] | undefined;
  try {
    events = eventFilter(findChild(req, 0x81));
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  const list = state.notifications.filter((n) => !events || events.includes(n.event));
  return {
    response: constructed(Es10Tag.ListNotification, [constructed(0xa0, list.map(notificationMetadata))]),
    changed: false,
    refresh: false,
    switched: false,
  };
}

/**
 * The mock eUICC signature: HMAC-SHA-512 keyed with the EID over the signed data object — 64 bytes,
 * the size of an ECDSA P-256 r‖s, so sizes match a real card. No key pair, no certificate chain.
 */
export function mockSignature(eid: string, signed: Uint8Array): Uint8Array {
  return Uint8Array.from(createHmac('sha512', eid).update(signed).digest());
}

/** `2.999.10` (the ITU-T example arc): stands in for the SM-DP+ OID. */
const MOCK_SMDP_OID = Uint8Array.of(0x88, 0x37, 0x0a);

const mockCertificate = (what: string): Tlv => constructed(0x30, [primitive(0x0c, encodeUtf8(`cellgate mock ${what} certificate`))]);

export function pendingNotification(eid: string, n: EuiccNotification): Tlv {
  if (n.event === 'install') {
    // ProfileInstallationResult (BF37) → ProfileInstallationResultData (BF27) + euiccSignPIR (5F37).
    const data = constructed(Es10Tag.ProfileInstallationResultData, [
      primitive(0x80, fromHex(n.transactionId ?? '00'.repeat(16))),
      notificationMetadata(n),
      primitive(Es10Field.oid, MOCK_SMDP_OID),
      constructed(0xa2, [constructed(0xa0, [primitive(Es10Field.isdpAid, fromHex(n.isdpAid)), primitive(Es10Field.octetString, [])])]),
    ]);
    return constructed(Es10Tag.ProfileInstallationResult, [data, primitive(Es10Field.signature, mockSignature(eid, encodeTlv(data)))]);
  }
  // OtherSignedNotification: SEQUENCE { tbsOtherNotification, euiccNotificationSignature, euiccCertificate, eumCertificate }.
  const tbs = notificationMetadata(n);
  return constructed(0x30, [tbs, primitive(Es10Field.signature, mockSignature(eid, encodeTlv(tbs))), mockCertificate('eUICC'), mockCertificate('EUM')]);
}

function retrieveNotificationsList({ state }: Es10Context, req: Tlv): Es10Outcome {
  let list = state.notifications;
  let searched = false;
  try {
    const criteria = findChild(req, 0xa0);
    const c = criteria && isConstructed(criteria) ? criteria.children[0] : undefined;
    if (c?.tag === 0x80) {
      const seq = decodeInteger(valueOf(c));
      list = list.filter((n) => n.seqNumber === seq);
      searched = true;
    } else if (c?.tag === 0x81) {
      const events = eventFilter(c) ?? [];
      list = list.filter((n) => events.includes(n.event));
    }
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  if (searched && list.length === 0) {
    // notificationsListResultError [1] noResultAvailable(1)
    return { response: constructed(Es10Tag.RetrieveNotificationsList, [primitive(0x81, [1])]), changed: false, refresh: false, switched: false };
  }
  return {
    response: constructed(Es10Tag.RetrieveNotificationsList, [constructed(0xa0, list.map((n) => pendingNotification(state.eid, n)))]),
    changed: false,
    refresh: false,
    switched: false,
  };
}

function notificationSent({ state }: Es10Context, req: Tlv): Es10Outcome {
  let seq: number;
  try {
    const s = findChild(req, 0x80);
    if (!s) throw new BerTlvError('missing-child', 'seqNumber missing');
    seq = decodeInteger(valueOf(s));
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  const before = state.notifications.length;
  state.notifications = state.notifications.filter((n) => n.seqNumber !== seq);
  if (state.notifications.length === before) return result(Es10Tag.NotificationSent, 1);
  return result(Es10Tag.NotificationSent, 0, { changed: true });
}
