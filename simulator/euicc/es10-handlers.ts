/**
 * The ES10 functions of the simulated ISD-R (SGP.22 §5.7), one per request tag, over the card's
 * state. Each handler reads a decoded request and returns the response data object; changes to
 * the state are made in place and reported so the card can persist them and refresh the terminal.
 */
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
  decodeTlv,
  encodeTlv,
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
import { encodeOid, readOnly } from '../../common/rsp/der.js';
import { signRaw } from '../../common/rsp/ecdsa.js';
import { encodeEuiccInfo1, encodeEuiccInfo2, encodeOtherSignedNotification, encodeNotificationMetadata, RspTag } from '../../common/rsp/messages.js';
import type { EuiccNotification, EuiccProfile, EuiccState } from './euicc-state.js';
import { authenticateServer, cancelSession, getEuiccChallenge, prepareDownload, type RspContext } from './rsp-download.js';

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
  /** A data object to encode, or bytes already encoded (signed structures). */
  readonly response: Tlv | Uint8Array;
  /** The state changed and must be saved. */
  readonly changed: boolean;
  /** The enabled profile changed and the terminal was asked to refresh (refreshFlag set). */
  readonly refresh: boolean;
  /** The enabled profile changed (whether or not a refresh was requested). */
  readonly switched: boolean;
}

/** What a handler works on: the card's state (a draft, saved when `changed`), its identity and RAM. */
export interface Es10Context extends RspContext {
  readonly quirks: EuiccQuirks;
  /** The card's configured root SM-DS address. */
  readonly rootDsAddress: string;
}

const result = (tag: number, code: number, extra: Partial<Es10Outcome> = {}): Es10Outcome => ({
  response: constructed(tag, [primitive(0x80, encodeInteger(code))]),
  changed: false,
  refresh: false,
  switched: false,
  ...extra,
});

/**
 * Dispatches one ES10 request (`raw` is its exact encoding, which the ES10b handlers need for
 * signatures); an unknown tag is `6A88`.
 */
export function handleEs10(ctx: Es10Context, request: Tlv, raw: Uint8Array): Es10Outcome {
  const rsp = rspHandlers[request.tag];
  if (rsp) {
    try {
      const { response, changed } = rsp(ctx, raw);
      return { response, changed, refresh: false, switched: false };
    } catch (e) {
      if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
      throw e;
    }
  }
  const handler = handlers[request.tag];
  if (!handler) throw new ApduStatusError(SW.referencedDataNotFound, `unsupported ES10 request ${request.tag.toString(16)}`);
  if (!isConstructed(request)) throw new ApduStatusError(SW.wrongData, 'ES10 request must be constructed');
  return handler(ctx, request);
}

type Handler = (ctx: Es10Context, request: Tlv) => Es10Outcome;
type RspHandler = (ctx: Es10Context, raw: Uint8Array) => { response: Uint8Array; changed: boolean };

/** ES10b functions of a download, which sign or verify exact encodings. */
const rspHandlers: Record<number, RspHandler> = {
  [RspTag.GetEuiccChallenge]: (ctx) => getEuiccChallenge(ctx),
  [RspTag.AuthenticateServer]: (ctx, raw) => authenticateServer(ctx, readOnly(raw), encodeEuiccInfo2(euiccInfo2Of(ctx))),
  [RspTag.PrepareDownload]: (ctx, raw) => prepareDownload(ctx, readOnly(raw)),
  [RspTag.CancelSession]: (ctx, raw) => cancelSession(ctx, readOnly(raw)),
  [Es10Tag.EuiccInfo1]: (ctx) => ({ response: encodeEuiccInfo1({ svn: SVN, ciPkidsForVerification: ctx.id.verificationPkids, ciPkidsForSigning: ctx.id.signingPkids }), changed: false }),
  [Es10Tag.EuiccInfo2]: (ctx) => ({ response: encodeEuiccInfo2(euiccInfo2Of(ctx)), changed: false }),
};

const handlers: Record<number, Handler> = {
  [Es10Tag.ProfileInfoList]: profileInfoList,
  [Es10Tag.EnableProfile]: enableProfile,
  [Es10Tag.DisableProfile]: disableProfile,
  [Es10Tag.DeleteProfile]: deleteProfile,
  [Es10Tag.GetEuiccData]: getEuiccData,
  [RspTag.EuiccConfiguredAddresses]: configuredAddresses,
  [RspTag.SetDefaultDpAddress]: setDefaultDpAddress,
  [RspTag.GetRat]: getRat,
  [RspTag.EuiccMemoryReset]: memoryReset,
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

/**
 * Queues a notification for `event` on profile `p` — unless the profile's metadata asked for none
 * of that kind (SGP.22 §5.5.3: only the operations listed in notificationConfigurationInfo).
 */
export function addNotification(state: EuiccState, event: NotificationEventName, p: EuiccProfile, transactionId?: string): EuiccNotification | undefined {
  if (p.notificationEvents && !p.notificationEvents.includes(event)) return undefined;
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

const SVN = [2, 2, 2] as const;
/** A profile's share of the card's non-volatile memory as EUICCInfo2 reports it [choice]. */
export const PROFILE_NVM_BYTES = 32 * 1024;

/** EUICCInfo2 (SGP.22 §5.7.8) with the fields a real consumer / IoT eUICC reports. */
export function euiccInfo2Of(ctx: Es10Context): Parameters<typeof encodeEuiccInfo2>[0] {
  const free = Math.max(0, ctx.maxProfiles - ctx.state.profiles.length);
  return {
    profileVersion: [2, 3, 1],
    svn: SVN,
    firmwareVersion: [1, 2, 0],
    installedApplications: ctx.state.profiles.length,
    freeNvm: free * PROFILE_NVM_BYTES,
    freeRam: 8 * 1024,
    // usimSupport(1), isimSupport(2), akaMilenage(4), gbaAuthenUsim(10), javacard(14), berTlvFileSupport(19), getIdentity(22)
    uiccCapability: [1, 2, 4, 10, 14, 19, 22],
    ts102241Version: [9, 2, 0],
    globalPlatformVersion: [2, 3, 0],
    // additionalProfile(0) while memory is left, testProfileSupport(3)
    rspCapability: free > 0 ? [0, 3] : [3],
    ciPkidsForVerification: ctx.id.verificationPkids,
    ciPkidsForSigning: ctx.id.signingPkids,
    category: 2,
    forbiddenProfilePolicyRules: undefined,
    ppVersion: [0, 0, 1],
    sasAccreditationNumber: 'CELLGATE-SIMULATED',
  } as Parameters<typeof encodeEuiccInfo2>[0];
}

const simple = (response: Tlv, changed = false): Es10Outcome => ({ response, changed, refresh: false, switched: false });

/** ES10a.GetEuiccConfiguredAddresses (§5.7.3): the default SM-DP+ address and the root SM-DS. */
function configuredAddresses({ state, rootDsAddress }: Es10Context): Es10Outcome {
  return simple(
    constructed(RspTag.EuiccConfiguredAddresses, [
      ...(state.defaultDpAddress ? [primitive(0x80, encodeUtf8(state.defaultDpAddress))] : []),
      primitive(0x81, encodeUtf8(rootDsAddress)),
    ]),
  );
}

/** ES10a.SetDefaultDpAddress (§5.7.4); an empty address clears it. */
function setDefaultDpAddress({ state }: Es10Context, req: Tlv): Es10Outcome {
  let address: string;
  try {
    address = decodeUtf8(valueOf(findChild(req, 0x80) ?? primitive(0x80, [])));
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  if (encodeUtf8(address).length > 255) return result(RspTag.SetDefaultDpAddress, 127);
  if (address === '') delete state.defaultDpAddress;
  else state.defaultDpAddress = address;
  return result(RspTag.SetDefaultDpAddress, 0, { changed: true });
}

/** ES10b.GetRAT (§5.7.20): this card's Rules Authorisation Table allows PPR1 and PPR2 for any operator. */
function getRat(): Es10Outcome {
  // ProfilePolicyAuthorisationRule { pprIds [0], allowedOperators [1] { OperatorId { mccMnc 'EEEEEE' wildcard } }, pprFlags [2] }
  const rule = constructed(0x30, [
    primitive(0x80, encodeBitString([1, 2], 3)),
    constructed(0xa1, [constructed(0x30, [primitive(0x80, [0xee, 0xee, 0xee])])]),
    primitive(0x82, encodeBitString([], 1)),
  ]);
  return simple(constructed(RspTag.GetRat, [constructed(0xa0, [rule])]));
}

/**
 * ES10c.eUICCMemoryReset (§5.7.19): resetOptions deleteOperationalProfiles(0),
 * deleteFieldLoadedTestProfiles(1), resetDefaultSmdpAddress(2). [choice] No notifications are
 * generated for the deleted profiles (SGP.22 defines none for a memory reset).
 */
function memoryReset({ state, quirks }: Es10Context, req: Tlv): Es10Outcome {
  let bits: number[];
  try {
    bits = decodeBitString(valueOf(findChild(req, 0x82) ?? primitive(0x82, [0])));
  } catch (e) {
    if (e instanceof BerTlvError) throw new ApduStatusError(SW.wrongData, e.message);
    throw e;
  }
  if (quirks.catBusy) return result(RspTag.EuiccMemoryReset, 5);
  const doomed = state.profiles.filter((p) => (bits.includes(0) && p.profileClass === 'operational') || (bits.includes(1) && p.profileClass === 'test'));
  const resetAddress = bits.includes(2) && state.defaultDpAddress !== undefined;
  if (doomed.length === 0 && !resetAddress) return result(RspTag.EuiccMemoryReset, 1);
  const switched = doomed.some((p) => p.state === 'enabled');
  state.profiles = state.profiles.filter((p) => !doomed.includes(p));
  if (bits.includes(2)) delete state.defaultDpAddress;
  return result(RspTag.EuiccMemoryReset, 0, { changed: true, switched, refresh: switched });
}

// ---- notifications (SGP.22 §5.7.9 .. §5.7.11) ----

export function notificationMetadata(n: EuiccNotification): Tlv {
  return constructed(Es10Tag.NotificationMetadata, [
    primitive(0x80, encodeInteger(n.seqNumber)),
    primitive(0x81, encodeBitString([NotificationEventBit[n.event]])),
    primitive(Es10Field.notificationAddress, encodeUtf8(n.notificationAddress)),
    ...(n.iccid ? [primitive(Es10Field.iccid, encodeIccid(n.iccid))] : []),
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

/** The smdpOid of install notifications made by the provisioning shortcut (no download, no SM-DP+ certificate). */
export const SHORTCUT_SMDP_OID = '2.999.10';

/**
 * A notification as RetrieveNotificationsList returns it (SGP.22 §5.7.10): the stored
 * ProfileInstallationResult of a download as the card signed it then, or an
 * OtherSignedNotification signed now with the card's key and carrying its certificate chain.
 */
export function pendingNotification(ctx: Es10Context, n: EuiccNotification): Uint8Array {
  if (n.pir) return Uint8Array.from(Buffer.from(n.pir, 'base64'));
  const key = ctx.id.identity.privateKey;
  if (n.event === 'install') {
    // Provisioning shortcut: the result a successful download would have left, signed the same way.
    const data = encodeTlv(
      constructed(Es10Tag.ProfileInstallationResultData, [
        primitive(0x80, fromHex(n.transactionId ?? '00'.repeat(16))),
        notificationMetadata(n),
        primitive(Es10Field.oid, encodeOid(SHORTCUT_SMDP_OID)),
        constructed(0xa2, [constructed(0xa0, [primitive(Es10Field.isdpAid, fromHex(n.isdpAid ?? '')), primitive(Es10Field.octetString, [])])]),
      ]),
    );
    return encodeTlv(constructed(Es10Tag.ProfileInstallationResult, [decodeTlv(data), primitive(Es10Field.signature, signRaw(key, data))]));
  }
  const tbs = encodeNotificationMetadata({ seqNumber: n.seqNumber, event: n.event, notificationAddress: n.notificationAddress, ...(n.iccid ? { iccid: n.iccid } : {}) });
  return encodeOtherSignedNotification(tbs, signRaw(key, tbs), ctx.id.identity.certificate, ctx.id.identity.eumCertificate);
}

function retrieveNotificationsList(ctx: Es10Context, req: Tlv): Es10Outcome {
  const { state } = ctx;
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
    response: constructed(Es10Tag.RetrieveNotificationsList, [constructed(0xa0, list.map((n) => decodeTlv(pendingNotification(ctx, n))))]),
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
