/**
 * The card side of a profile download (SGP.22 §3.1.3, ES10b §5.7.4–§5.7.7, §5.7.13–§5.7.14):
 * GetEUICCChallenge, AuthenticateServer, PrepareDownload, the LoadBoundProfilePackage segments
 * and CancelSession, with real certificate checks, ECDSA signatures, ECKA key agreement and
 * SCP03t. The session lives in card RAM only: a reset forgets it (and a BPP load that had already
 * created the ISD-P ends with an installFailedDueToInterruption result).
 */
import { randomBytes } from 'node:crypto';
import { BerTlvError, toHex } from '../../common/ber-tlv.js';
import { BspError, BspSession } from '../../common/rsp/bsp.js';
import { concat, equalBytes, readHeader, readOnly, readTlv, wrap, type RawTlv } from '../../common/rsp/der.js';
import { signRaw, verifyRaw } from '../../common/rsp/ecdsa.js';
import { ecka, generateOneTimeKeyPair, type OneTimeKeyPair } from '../../common/rsp/ecka.js';
import { deriveBspKeys } from '../../common/rsp/kdf.js';
import {
  AuthenticateErrorCode,
  BppCommandId,
  decodeAuthenticateServerRequest,
  decodeCancelSessionRequest,
  decodeInitialiseSecureChannel,
  decodePrepareDownloadRequest,
  decodeReplaceSessionKeys,
  decodeServerSigned1,
  decodeSmdpSigned2,
  decodeStoreMetadata,
  DownloadErrorCode,
  encodeAuthenticateServerError,
  encodeAuthenticateServerOk,
  encodeCancelSessionError,
  encodeCancelSessionOk,
  encodeEuiccCancelSessionSigned,
  encodeEuiccSigned1,
  encodeEuiccSigned2,
  encodePrepareDownloadError,
  encodePrepareDownloadOk,
  encodeProfileInstallationResult,
  encodeProfileInstallationResultData,
  InstallErrorReason,
  RspTag,
  type FinalResult,
  type ProfileMetadata,
} from '../../common/rsp/messages.js';
import { decodeProfilePackage, ProfilePackageError } from '../../common/rsp/profile-package.js';
import { checkIssued, parseCertificate, type ParsedCertificate } from '../../common/rsp/x509.js';
import type { EuiccNotification, EuiccProfile, EuiccState } from './euicc-state.js';
import type { ResolvedIdentity } from './euicc-identity.js';

/** Where a BPP load stands: which part the next segment may be. */
type LoadStage = 'configure' | 'metadata-header' | 'metadata' | 'after-metadata' | 'elements-header' | 'elements';

interface BppLoad {
  bsp: BspSession;
  stage: LoadStage;
  isdpAid?: string;
  /** Bytes of `88` segments still expected (from the `A1` header) and their plaintexts. */
  metadataLeft: number;
  metadataParts: Uint8Array[];
  metadata?: ProfileMetadata;
  elementsLeft: number;
  elementParts: Uint8Array[];
  lastCommand: number;
}

/** One RSP session in card RAM (SGP.22 §3.1.3). */
export interface RspSession {
  challenge: Uint8Array;
  transactionId?: Uint8Array;
  serverAddress?: string;
  smdpOid?: string;
  /** Who authenticated: an SM-DP+ (a download may follow) or an SM-DS (event retrieval only, §3.6). */
  server?: 'smdp' | 'smds';
  ci?: ParsedCertificate;
  euiccSignature1?: Uint8Array;
  dpPb?: ParsedCertificate;
  otk?: OneTimeKeyPair;
  load?: BppLoad;
}

export interface RspContext {
  state: EuiccState;
  id: ResolvedIdentity;
  /** The session holder (card RAM). */
  ram: { session?: RspSession };
  /** How many profiles fit (memory): ConfigureISDP beyond it fails with insufficient memory. */
  maxProfiles: number;
  isdpAidFor(index: number): string;
  now(): number;
}

export interface RspOutcome {
  response: Uint8Array;
  changed: boolean;
}

const reply = (response: Uint8Array, changed = false): RspOutcome => ({ response, changed });
const sig = (ctx: RspContext, ...data: Uint8Array[]): Uint8Array => signRaw(ctx.id.identity.privateKey, ...data);

/** ES10b.GetEUICCChallenge (§5.7.7): a new session, forgetting any earlier one. */
export function getEuiccChallenge(ctx: RspContext): RspOutcome {
  const changed = abortLoad(ctx, 'new-session');
  const challenge = new Uint8Array(randomBytes(16));
  ctx.ram.session = { challenge };
  return reply(wrap(RspTag.GetEuiccChallenge, wrap(0x80, challenge)), changed);
}

/** The CI a server certificate chains to, if the card trusts it. */
function trustedCi(ctx: RspContext, pkid: Uint8Array): ParsedCertificate | undefined {
  return ctx.id.cis.find((c) => equalBytes(c.subjectKeyIdentifier, pkid));
}

/** ES10b.AuthenticateServer (§5.7.13). */
export function authenticateServer(ctx: RspContext, request: RawTlv, euiccInfo2: Uint8Array): RspOutcome {
  const req = decodeAuthenticateServerRequest(request);
  const signed = decodeServerSigned1(req.serverSigned1);
  const fail = (code: number): RspOutcome => reply(encodeAuthenticateServerError(signed.transactionId, code));
  const session = ctx.ram.session;
  if (!session || session.transactionId) return fail(AuthenticateErrorCode.noSessionContext);
  const ci = trustedCi(ctx, req.euiccCiPkidToBeUsed);
  if (!ci || !ctx.id.signingPkids.some((p) => equalBytes(p, req.euiccCiPkidToBeUsed))) return fail(AuthenticateErrorCode.ciPKUnknown);
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(req.serverCertificate);
  } catch {
    return fail(AuthenticateErrorCode.invalidCertificate);
  }
  // The eUICC has no reliable clock: validity periods are the server's to check (SGP.22 §4.5.2.2).
  // The server is an SM-DP+ (CERT.DPauth) or an SM-DS (CERT.DSauth, ES11 event retrieval §3.6.2):
  // the card verifies both the same way (§5.7.13).
  const server = checkIssued(cert, ci, cert.notBefore, 'dp-auth') === undefined ? 'smdp' : checkIssued(cert, ci, cert.notBefore, 'ds-auth') === undefined ? 'smds' : undefined;
  if (!server) return fail(AuthenticateErrorCode.invalidCertificate);
  if (cert.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return fail(AuthenticateErrorCode.unsupportedCurve);
  if (!cert.registeredId) return fail(AuthenticateErrorCode.invalidOid);
  if (!verifyRaw(cert.publicKey, req.serverSignature1.value, req.serverSigned1.raw)) return fail(AuthenticateErrorCode.invalidSignature);
  if (!equalBytes(signed.euiccChallenge, session.challenge)) return fail(AuthenticateErrorCode.euiccChallengeMismatch);
  Object.assign(session, { transactionId: signed.transactionId, serverAddress: signed.serverAddress, smdpOid: cert.registeredId, server, ci });
  const euiccSigned1 = encodeEuiccSigned1({ transactionId: signed.transactionId, serverAddress: signed.serverAddress, serverChallenge: signed.serverChallenge, euiccInfo2, ctxParams1: req.ctxParams1.raw });
  const signature = sig(ctx, euiccSigned1);
  session.euiccSignature1 = wrap(RspTag.signature, signature);
  return reply(encodeAuthenticateServerOk(euiccSigned1, signature, ctx.id.identity.certificate, ctx.id.identity.eumCertificate));
}

/** ES10b.PrepareDownload (§5.7.5). */
export function prepareDownload(ctx: RspContext, request: RawTlv): RspOutcome {
  const req = decodePrepareDownloadRequest(request);
  const smdpSigned2 = decodeSmdpSigned2(req.smdpSigned2);
  const fail = (code: number): RspOutcome => reply(encodePrepareDownloadError(smdpSigned2.transactionId, code));
  const session = ctx.ram.session;
  // An SM-DS session never leads to a download: a profile comes only from an authenticated SM-DP+.
  if (!session?.transactionId || !session.ci || !session.euiccSignature1 || session.load || session.server !== 'smdp') return fail(DownloadErrorCode.noSessionContext);
  let dpPb: ParsedCertificate;
  try {
    dpPb = parseCertificate(req.smdpCertificate);
  } catch {
    return fail(DownloadErrorCode.invalidCertificate);
  }
  if (checkIssued(dpPb, session.ci, dpPb.notBefore, 'dp-pb')) return fail(DownloadErrorCode.invalidCertificate);
  if (dpPb.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return fail(DownloadErrorCode.unsupportedCurve);
  // smdpSignature2 covers smdpSigned2 and the card's own euiccSignature1 data object (§5.7.5).
  if (!verifyRaw(dpPb.publicKey, req.smdpSignature2.value, req.smdpSigned2.raw, session.euiccSignature1)) return fail(DownloadErrorCode.invalidSignature);
  if (!equalBytes(smdpSigned2.transactionId, session.transactionId)) return fail(DownloadErrorCode.invalidTransactionId);
  if (smdpSigned2.ccRequired && !req.hashCc) return fail(DownloadErrorCode.undefinedError);
  session.dpPb = dpPb;
  // A BPP already bound to an earlier otPK (bppEuiccOtpk) is re-usable only with the same key pair.
  if (!session.otk || !smdpSigned2.bppEuiccOtpk || !equalBytes(smdpSigned2.bppEuiccOtpk, session.otk.publicKey)) session.otk = generateOneTimeKeyPair();
  const euiccSigned2 = encodeEuiccSigned2({ transactionId: session.transactionId, euiccOtpk: session.otk.publicKey, ...(req.hashCc ? { hashCc: req.hashCc } : {}) });
  return reply(encodePrepareDownloadOk(euiccSigned2, sig(ctx, euiccSigned2, req.smdpSignature2.raw)));
}

/** ES10b.CancelSession (§5.7.14): signed confirmation; the session is gone either way. */
export function cancelSession(ctx: RspContext, request: RawTlv): RspOutcome {
  const { transactionId, reason } = decodeCancelSessionRequest(request);
  const session = ctx.ram.session;
  if (!session?.transactionId || !equalBytes(session.transactionId, transactionId)) return reply(encodeCancelSessionError(5));
  const changed = abortLoad(ctx, 'cancelled');
  ctx.ram.session = undefined;
  const signed = encodeEuiccCancelSessionSigned({ transactionId, smdpOid: session.smdpOid ?? '2.999', reason });
  return reply(encodeCancelSessionOk(signed, sig(ctx, signed)), changed);
}

/** A card reset (SIM power cycle, module reboot) forgets the session; an ISD-P under construction is removed. */
export function resetSession(ctx: RspContext): boolean {
  const changed = abortLoad(ctx, 'reset');
  ctx.ram.session = undefined;
  return changed;
}

/**
 * A BPP load stopped before its last segment: if ConfigureISDP had run, the partly created ISD-P
 * is deleted and the result is recorded as installFailedDueToInterruption for the SM-DP+.
 */
function abortLoad(ctx: RspContext, _why: string): boolean {
  const s = ctx.ram.session;
  const load = s?.load;
  if (!s || !load || load.stage === 'configure') return false;
  s.load = undefined;
  recordResult(ctx, s, load, { ok: false, bppCommandId: load.lastCommand, errorReason: InstallErrorReason.installFailedDueToInterruption });
  return true;
}

/** Whether a STORE DATA payload belongs to a BPP load (its first segment, or a later one while loading). */
export function isBppSegment(ctx: RspContext, bytes: Uint8Array): boolean {
  let tag: number;
  try {
    tag = readHeader(bytes).tag;
  } catch {
    return false;
  }
  if (tag === RspTag.BoundProfilePackage) return true;
  return ctx.ram.session?.load !== undefined && [0xa0, 0xa1, 0xa2, 0xa3, 0x86, 0x87, 0x88].includes(tag);
}

class InstallFailure extends Error {
  constructor(
    readonly bppCommandId: number,
    readonly errorReason: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * ES10b.LoadBoundProfilePackage (§5.7.6): one segment. Answers nothing (9000) until the last
 * `86`, which answers the ProfileInstallationResult; any failure answers it at once.
 */
export function loadBoundProfilePackage(ctx: RspContext, segment: Uint8Array): RspOutcome {
  const session = ctx.ram.session;
  const header = readHeader(segment);
  try {
    if (header.tag === RspTag.BoundProfilePackage) return reply(initialiseSecureChannel(ctx, session, segment, header.headerLength));
    if (!session?.load) throw new InstallFailure(BppCommandId.initialiseSecureChannel, InstallErrorReason.incorrectInputValues, 'no BPP load in progress');
    return loadSegment(ctx, session, session.load, segment, header);
  } catch (e) {
    if (!(e instanceof InstallFailure)) throw e;
    const s = ctx.ram.session;
    const load = s?.load;
    if (s) s.load = undefined;
    ctx.ram.session = undefined;
    const pir = s ? recordResult(ctx, s, load, { ok: false, bppCommandId: e.bppCommandId, errorReason: e.errorReason }) : undefined;
    return reply(pir ?? new Uint8Array(0), pir !== undefined);
  }
}

function initialiseSecureChannel(ctx: RspContext, session: RspSession | undefined, segment: Uint8Array, outerHeader: number): Uint8Array {
  const cmd = BppCommandId.initialiseSecureChannel;
  if (!session?.transactionId || !session.dpPb || !session.otk) throw new InstallFailure(cmd, InstallErrorReason.invalidTransactionId, 'no prepared session');
  let isc;
  try {
    const t = readTlv(segment, outerHeader);
    if (outerHeader + t.raw.length !== segment.length) throw new BerTlvError('trailing-bytes', 'the first segment is BF36 + InitialiseSecureChannel only');
    isc = decodeInitialiseSecureChannel(t);
  } catch (e) {
    if (e instanceof BerTlvError) throw new InstallFailure(cmd, InstallErrorReason.incorrectInputValues, e.message);
    throw e;
  }
  if (isc.remoteOpId !== 1) throw new InstallFailure(cmd, InstallErrorReason.unsupportedRemoteOperationType, `remoteOpId ${isc.remoteOpId}`);
  if (!equalBytes(isc.transactionId, session.transactionId)) throw new InstallFailure(cmd, InstallErrorReason.invalidTransactionId, 'transactionId of another session');
  if (isc.crt.keyType !== 0x88 || isc.crt.keyLength !== 16) throw new InstallFailure(cmd, InstallErrorReason.unsupportedCrtValues, 'only AES-128 (88 / 10) session keys');
  if (!verifyRaw(session.dpPb.publicKey, isc.smdpSign, isc.signedPart, wrap(RspTag.otpk, session.otk.publicKey))) throw new InstallFailure(cmd, InstallErrorReason.invalidSignature, 'smdpSign does not verify');
  let shared: Uint8Array;
  try {
    shared = ecka(session.otk.privateKey, isc.smdpOtpk);
  } catch {
    throw new InstallFailure(cmd, InstallErrorReason.incorrectInputValues, 'smdpOtpk is not a P-256 point');
  }
  const keys = deriveBspKeys(shared, isc.crt.keyType, isc.crt.keyLength, isc.crt.hostId, Buffer.from(ctx.state.eid, 'hex'));
  session.load = { bsp: new BspSession(keys), stage: 'configure', metadataLeft: 0, metadataParts: [], elementsLeft: 0, elementParts: [], lastCommand: cmd };
  return new Uint8Array(0);
}

function unprotect(load: BppLoad, command: number, run: () => Uint8Array): Uint8Array {
  load.lastCommand = command;
  try {
    return run();
  } catch (e) {
    if (e instanceof BspError) throw new InstallFailure(command, e.code === 'mac' ? InstallErrorReason.scp03tSecurityError : InstallErrorReason.scp03tStructureError, e.message);
    throw e;
  }
}

function loadSegment(ctx: RspContext, session: RspSession, load: BppLoad, segment: Uint8Array, header: { tag: number; length: number; headerLength: number }): RspOutcome {
  const structure = (command: number, why: string): never => {
    throw new InstallFailure(command, InstallErrorReason.scp03tStructureError, why);
  };
  const whole = (): RawTlv => {
    try {
      return readOnly(segment);
    } catch (e) {
      return structure(load.lastCommand, (e as Error).message);
    }
  };
  const empty = reply(new Uint8Array(0));
  switch (header.tag) {
    case 0xa0: {
      if (load.stage !== 'configure') return structure(BppCommandId.configureISDP, 'ConfigureISDP out of order');
      const parts = rawChildrenOf(whole(), BppCommandId.configureISDP);
      const plain = concat(...parts.map((p) => unprotect(load, BppCommandId.configureISDP, () => load.bsp.verifyAndDecrypt(p.raw, 0x87))));
      checkRequest(plain, RspTag.ConfigureIsdp, BppCommandId.configureISDP);
      if (ctx.state.profiles.length >= ctx.maxProfiles) throw new InstallFailure(BppCommandId.configureISDP, InstallErrorReason.installFailedDueToInsufficientMemoryForProfile, 'no memory for another profile');
      load.isdpAid = ctx.isdpAidFor(ctx.state.nextIsdpIndex);
      load.stage = 'metadata-header';
      return empty;
    }
    case 0xa1:
      if (load.stage !== 'metadata-header' || segment.length !== header.headerLength) return structure(BppCommandId.storeMetadata, 'sequenceOf88 header expected alone');
      load.metadataLeft = header.length;
      load.stage = 'metadata';
      return empty;
    case 0x88: {
      if (load.stage !== 'metadata') return structure(BppCommandId.storeMetadata, 'StoreMetadata out of order');
      const t = whole();
      load.metadataLeft -= t.raw.length;
      load.metadataParts.push(unprotect(load, BppCommandId.storeMetadata, () => load.bsp.verifyMacOnly(t.raw, 0x88)));
      if (load.metadataLeft < 0) return structure(BppCommandId.storeMetadata, 'more 88 segments than announced');
      if (load.metadataLeft === 0) {
        load.metadata = storeMetadata(ctx, concat(...load.metadataParts));
        load.stage = 'after-metadata';
      }
      return empty;
    }
    case 0xa2: {
      if (load.stage !== 'after-metadata') return structure(BppCommandId.replaceSessionKeys, 'ReplaceSessionKeys out of order');
      const parts = rawChildrenOf(whole(), BppCommandId.replaceSessionKeys);
      const plain = concat(...parts.map((p) => unprotect(load, BppCommandId.replaceSessionKeys, () => load.bsp.verifyAndDecrypt(p.raw, 0x87))));
      let keys;
      try {
        keys = decodeReplaceSessionKeys(plain);
      } catch (e) {
        throw new InstallFailure(BppCommandId.replaceSessionKeys, InstallErrorReason.incorrectInputValues, (e as Error).message);
      }
      load.bsp = new BspSession(keys);
      load.stage = 'elements-header';
      return empty;
    }
    case 0xa3:
      if ((load.stage !== 'after-metadata' && load.stage !== 'elements-header') || segment.length !== header.headerLength) return structure(BppCommandId.loadProfileElements, 'sequenceOf86 header expected alone');
      load.elementsLeft = header.length;
      load.stage = 'elements';
      return empty;
    case 0x86: {
      if (load.stage !== 'elements') return structure(BppCommandId.loadProfileElements, 'profile elements out of order');
      const t = whole();
      load.elementsLeft -= t.raw.length;
      load.elementParts.push(unprotect(load, BppCommandId.loadProfileElements, () => load.bsp.verifyAndDecrypt(t.raw, 0x86)));
      if (load.elementsLeft < 0) return structure(BppCommandId.loadProfileElements, 'more 86 segments than announced');
      if (load.elementsLeft > 0) return empty;
      const pir = install(ctx, session, load, concat(...load.elementParts));
      session.load = undefined;
      ctx.ram.session = undefined;
      return reply(pir, true);
    }
    default:
      return structure(load.lastCommand, `unexpected segment ${header.tag.toString(16)}`);
  }
}

function rawChildrenOf(t: RawTlv, command: number): RawTlv[] {
  const out: RawTlv[] = [];
  try {
    for (let at = 0; at < t.value.length; ) {
      const c = readTlv(t.value, at);
      out.push(c);
      at += c.raw.length;
    }
  } catch (e) {
    throw new InstallFailure(command, InstallErrorReason.scp03tStructureError, (e as Error).message);
  }
  if (out.length === 0) throw new InstallFailure(command, InstallErrorReason.scp03tStructureError, 'empty sequence');
  return out;
}

function checkRequest(plain: Uint8Array, tag: number, command: number): void {
  try {
    readOnly(plain, tag);
  } catch (e) {
    throw new InstallFailure(command, InstallErrorReason.incorrectInputValues, (e as Error).message);
  }
}

function storeMetadata(ctx: RspContext, plain: Uint8Array): ProfileMetadata {
  let m: ProfileMetadata;
  try {
    m = decodeStoreMetadata(plain);
  } catch (e) {
    throw new InstallFailure(BppCommandId.storeMetadata, InstallErrorReason.incorrectInputValues, (e as Error).message);
  }
  if (ctx.state.profiles.some((p) => p.iccid === m.iccid)) {
    throw new InstallFailure(BppCommandId.storeMetadata, InstallErrorReason.installFailedDueToIccidAlreadyExistsOnEuicc, `ICCID ${m.iccid} already on the card`);
  }
  return m;
}

function install(ctx: RspContext, session: RspSession, load: BppLoad, upp: Uint8Array): Uint8Array {
  const cmd = BppCommandId.loadProfileElements;
  let pkg;
  try {
    pkg = decodeProfilePackage(upp);
  } catch (e) {
    if (e instanceof ProfilePackageError) throw new InstallFailure(cmd, InstallErrorReason.installFailedDueToPEProcessingError, e.message);
    throw e;
  }
  const metadata = load.metadata!;
  if (pkg.iccid !== metadata.iccid) throw new InstallFailure(cmd, InstallErrorReason.installFailedDueToDataMismatch, `profile ICCID ${pkg.iccid} ≠ metadata ICCID ${metadata.iccid}`);
  const addressFor = (event: string): string | undefined => metadata.notificationConfiguration?.find((n) => n.event === event)?.address;
  const profile: EuiccProfile = {
    isdpAid: load.isdpAid!,
    iccid: pkg.iccid,
    imsi: pkg.imsi,
    state: 'disabled',
    serviceProviderName: metadata.serviceProviderName,
    profileName: metadata.profileName,
    profileClass: metadata.profileClass ?? 'operational',
    notificationAddress: addressFor('enable') ?? addressFor('disable') ?? addressFor('delete') ?? session.serverAddress!,
    notificationEvents: (metadata.notificationConfiguration ?? []).map((n) => n.event),
    ...(metadata.profilePolicyRules?.length ? { policy: { disableNotAllowed: metadata.profilePolicyRules.includes(1), deleteNotAllowed: metadata.profilePolicyRules.includes(2) } } : {}),
    ki: toHex(pkg.ki),
    opc: toHex(pkg.opc),
  };
  ctx.state.profiles.push(profile);
  ctx.state.nextIsdpIndex++;
  return recordResult(ctx, session, load, { ok: true, isdpAid: Buffer.from(profile.isdpAid, 'hex') }, profile.iccid);
}

/** Signs the ProfileInstallationResult and keeps it as a pending install notification for the SM-DP+ of the session. */
function recordResult(ctx: RspContext, session: RspSession, load: BppLoad | undefined, result: FinalResult, iccid?: string): Uint8Array {
  const seqNumber = ctx.state.nextSeqNumber++;
  const address = session.serverAddress ?? '';
  const metadataIccid = iccid ?? load?.metadata?.iccid;
  const data = encodeProfileInstallationResultData({
    transactionId: session.transactionId ?? new Uint8Array(1),
    metadata: { seqNumber, event: 'install', notificationAddress: address, ...(metadataIccid ? { iccid: metadataIccid } : {}) },
    smdpOid: session.smdpOid ?? '2.999',
    result,
  });
  const pir = encodeProfileInstallationResult(data, sig(ctx, data));
  const n: EuiccNotification = {
    seqNumber,
    event: 'install',
    notificationAddress: address,
    ...(metadataIccid ? { iccid: metadataIccid } : {}),
    ...(result.ok ? { isdpAid: Buffer.from(result.isdpAid).toString('hex').toUpperCase() } : {}),
    transactionId: toHex(session.transactionId ?? new Uint8Array(1)),
    pir: Buffer.from(pir).toString('base64'),
  };
  ctx.state.notifications.push(n);
  return pir;
}
