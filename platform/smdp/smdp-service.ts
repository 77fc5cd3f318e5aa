/**
 * The platform's SM-DP+ (SGP.22 §3.1.3, ES9+ §5.6): downloads of the profiles of the platform's
 * own eSIM orders. Sessions and each profile's download state are store documents, so a platform
 * restart in the middle of a download loses nothing; every refusal is the SGP.22 status code.
 *
 * Profile download rules [choice where SGP.22 leaves it to the operator, docs/smdp.md]:
 * - a matching ID is used once: after a successful installation it is refused (8.2.6 / 3.8);
 * - a BPP delivered to one EID binds the profile to it until the card reports the result: another
 *   EID is refused (8.1.1 / 3.8), the same EID may download again (an interrupted download resumes);
 * - a failed installation, a cancelled session or a session older than `sessionTtlMs` releases it;
 * - a wrong confirmation code ends the session (8.2.7 / 3.8); the `confirmationCodeAttempts`-th
 *   wrong one locks the profile (8.2.7 / 6.4, then 8.8.5 / 6.4);
 * - a profile whose SIM is terminated can no longer be downloaded (8.8.5 / 4.1).
 */
import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { BerTlvError, toHex } from '../../common/ber-tlv.js';
import { equalBytes, wrap } from '../../common/rsp/der.js';
import { signRaw, verifyRaw } from '../../common/rsp/ecdsa.js';
import { b64, ES9_STATUS, fromB64, type Es9StatusCode } from '../../common/rsp/es9.js';
import {
  decodeAuthenticateServerResponse,
  decodeCancelSessionResponse,
  decodeEuiccInfo1,
  decodeEuiccInfo2,
  decodePendingNotification,
  decodePrepareDownloadResponse,
  encodeServerSigned1,
  encodeSmdpSigned2,
  encodeStoreMetadata,
  InstallErrorReason,
  nameOf,
  BppCommandId,
  RspTag,
  type PendingNotificationValue,
} from '../../common/rsp/messages.js';
import { issueEumCertificateFor } from '../../common/rsp/pki.js';
import { parseCertificate, toPem, type ParsedCertificate } from '../../common/rsp/x509.js';
import { answerOrRefuse, checkCardChain, checkInitiateAuthentication, Refusal, type Es9Result } from './rsp-auth.js';
import type { DownloadState, EidBinding, IssuedEum } from '../app/smdp-port.js';
import { applyEsimNotification, type EsimNotificationOutcome } from '../app/esim-orders.js';
import { ESIM_KINDS } from '../app/esim-kinds.js';
import { useCase, type AppContext } from '../app/context.js';
import { SUBSCRIBER_KIND } from '../app/subscribers.js';
import { applyProfileEvent, type EsimProfile } from '../domain/esim/esim-profile.js';
import { domainError, PlatformError } from '../domain/errors.js';
import type { Subscriber } from '../domain/subscriber.js';
import { readOnly, type StoreTx } from '../store/port.js';
import { bindProfilePackage } from './bpp-builder.js';
import type { LoadedSmdpPki } from './smdp-pki.js';

export interface SmdpConfig {
  /** An RSP session not finished within this time is dropped and its profile released [choice: 15 min]. */
  sessionTtlMs: number;
  /** Wrong confirmation codes before the profile is locked [choice: 3]. */
  confirmationCodeAttempts: number;
  /** Free eUICC memory (EUICCInfo2 extCardResource) a profile needs [choice: 16 KiB]. */
  requiredNvmBytes: number;
  /** Protect profile elements with PPK keys sent in ReplaceSessionKeys [choice: off]. */
  replaceSessionKeys: boolean;
}

export const DEFAULT_SMDP_CONFIG: SmdpConfig = { sessionTtlMs: 15 * 60_000, confirmationCodeAttempts: 3, requiredNvmBytes: 16 * 1024, replaceSessionKeys: false };

export type { Es9Result } from './rsp-auth.js';

/** One RSP session (ES9+), by transaction id. */
interface SessionDoc {
  transactionId: string;
  state: 'initiated' | 'authenticated' | 'bound';
  serverChallenge: string;
  ciPkid: string;
  createdAt: number;
  eid?: string;
  euiccCertificate?: string;
  euiccSignature1?: string;
  iccid?: string;
  smdpSignature2?: string;
  ccRequired?: boolean;
}

/** A profile's download state at the SM-DP+, by ICCID. */
export interface DownloadDoc {
  iccid: string;
  matchingId: string;
  profileOrderId: string;
  state: DownloadState;
  /** The EID the BPP was delivered to (until the card reports the result). */
  eid?: string;
  transactionId?: string;
  sessionAt?: number;
  /** eUICC certificate of the binding, to check the ProfileInstallationResult signature with. */
  euiccCertificate?: string;
  /** SHA-256 of the confirmation code (SGP.22 §3.1.3.4 hashes it again with the transaction id). */
  confirmationCodeHash?: string;
  ccFailures: number;
  /** Outcome of the last attempt, for the operator. */
  lastResult?: string;
  /** The EID the operator bound the profile to (`PUT /_cellgate/esim/profiles/{iccid}/eid`): only that eUICC may download it. */
  targetEid?: string;
  /** The SM-DS event announcing the profile to `targetEid`; it is also a matching ID for that EID only (SGP.22 §3.1.3, §3.6). */
  eventId?: string;
  updatedAt: number;
}



const refuse = (status: Es9StatusCode): Es9Result => ({ ok: false, status });
const success = (body: Record<string, unknown>): Es9Result => ({ ok: true, body });


export class SmdpService {
  readonly config: SmdpConfig;
  private readonly dpAuth: ParsedCertificate;
  private readonly cis: ParsedCertificate[];
  readonly smdpOid: string;

  constructor(
    private readonly ctx: AppContext,
    readonly pki: LoadedSmdpPki,
    config: Partial<SmdpConfig> = {},
  ) {
    this.config = { ...DEFAULT_SMDP_CONFIG, ...config };
    this.dpAuth = parseCertificate(pki.dpAuth.certificate);
    this.cis = pki.trustedCis.map(parseCertificate);
    this.smdpOid = this.dpAuth.registeredId ?? '2.999.10';
  }

  /** The SM-DP+ address in activation codes (the platform config, set once the ES9+ port is known). */
  get address(): string {
    return this.ctx.config.smdpAddress;
  }

  private now(): number {
    return this.ctx.clock.now();
  }


  // ---- ES9+.InitiateAuthentication (§5.6.1) -------------------------------------------------

  initiateAuthentication(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      const challenge = bytesField(body, 'euiccChallenge');
      const info1 = decodeEuiccInfo1(bytesField(body, 'euiccInfo1'));
      const address = typeof body.smdpAddress === 'string' ? body.smdpAddress : '';
      if (address.toLowerCase() !== this.address.toLowerCase()) return refuse(ES9_STATUS.invalidSmdpAddress);
      const ourCi = this.dpAuth.authorityKeyIdentifier!;
      const refused = checkInitiateAuthentication(challenge, info1, ourCi);
      if (refused) return refuse(refused);
      const transactionId = new Uint8Array(randomBytes(16));
      const serverChallenge = new Uint8Array(randomBytes(16));
      const serverSigned1 = encodeServerSigned1({ transactionId, euiccChallenge: challenge, serverAddress: this.address, serverChallenge });
      const session: SessionDoc = { transactionId: toHex(transactionId), state: 'initiated', serverChallenge: toHex(serverChallenge), ciPkid: toHex(ourCi), createdAt: this.now() };
      await this.ctx.store.transaction((tx) => tx.put(ESIM_KINDS.session, session.transactionId, session));
      return success({
        transactionId: session.transactionId,
        serverSigned1: b64(serverSigned1),
        serverSignature1: b64(wrap(RspTag.signature, signRaw(this.pki.dpAuth.privateKey, serverSigned1))),
        euiccCiPKIdToBeUsed: b64(wrap(0x04, ourCi)),
        serverCertificate: b64(this.pki.dpAuth.certificate),
      });
    });
  }

  // ---- ES9+.AuthenticateClient (§5.6.3) -----------------------------------------------------

  authenticateClient(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      const session = await this.loadSession(body, 'initiated');
      const response = decodeAuthenticateServerResponse(bytesField(body, 'authenticateServerResponse'));
      if (!response.ok) return this.endSession(session, ES9_STATUS.euiccSignatureInvalid);
      const chain = this.checkCardChain(response.euiccCertificate, response.eumCertificate, session.ciPkid);
      if (!verifyRaw(chain.euicc.publicKey, response.euiccSignature1.value, response.euiccSigned1.raw)) return this.endSession(session, ES9_STATUS.euiccSignatureInvalid);
      if (toHex(response.euiccSigned1.serverChallenge) !== session.serverChallenge) return this.endSession(session, ES9_STATUS.euiccSignatureInvalid);
      if (toHex(response.euiccSigned1.transactionId) !== session.transactionId) return refuse(ES9_STATUS.unknownTransaction);
      const eid = chain.euicc.subjectSerialNumber;
      if (!eid || !/^\d{32}$/.test(eid)) return this.endSession(session, ES9_STATUS.euiccCertificateInvalid);
      const matchingId = response.euiccSigned1.ctxParams1.matchingId;
      if (!matchingId) return this.endSession(session, ES9_STATUS.matchingIdRefused);
      const info2 = decodeEuiccInfo2(response.euiccSigned1.euiccInfo2);

      const outcome = await this.ctx.store.transaction(async (tx): Promise<Es9Result> => {
        await this.stillIn(tx, session);
        const { profile, download } = await this.profileByMatchingId(tx, matchingId);
        await this.checkDownloadable(tx, profile, download, eid);
        if (info2.freeNvm < this.config.requiredNvmBytes) throw new Refusal(ES9_STATUS.insufficientMemory);
        const ccRequired = download.confirmationCodeHash !== undefined;
        const smdpSigned2 = encodeSmdpSigned2({ transactionId: Buffer.from(session.transactionId, 'hex'), ccRequired });
        const euiccSignature1Do = response.euiccSignature1.raw;
        const smdpSignature2 = wrap(RspTag.signature, signRaw(this.pki.dpPb.privateKey, smdpSigned2, euiccSignature1Do));
        await tx.put(ESIM_KINDS.session, session.transactionId, {
          ...session,
          state: 'authenticated',
          eid,
          euiccCertificate: b64(response.euiccCertificate),
          euiccSignature1: b64(euiccSignature1Do),
          iccid: profile.iccid,
          smdpSignature2: b64(smdpSignature2),
          ccRequired,
        } satisfies SessionDoc);
        await tx.put(ESIM_KINDS.download, profile.iccid, { ...download, state: download.state === 'bound' ? 'bound' : 'in-session', transactionId: session.transactionId, sessionAt: this.now(), updatedAt: this.now() } satisfies DownloadDoc);
        return success({
          transactionId: session.transactionId,
          profileMetadata: b64(encodeStoreMetadata(this.metadataOf(profile))),
          smdpSigned2: b64(smdpSigned2),
          smdpSignature2: b64(smdpSignature2),
          smdpCertificate: b64(this.pki.dpPb.certificate),
        });
      });
      return outcome;
    });
  }

  // ---- ES9+.GetBoundProfilePackage (§5.6.2) -------------------------------------------------

  getBoundProfilePackage(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      const session = await this.loadSession(body, 'authenticated');
      const response = decodePrepareDownloadResponse(bytesField(body, 'prepareDownloadResponse'));
      if (!response.ok) return this.endSession(session, ES9_STATUS.euiccSignatureInvalid);
      const euicc = parseCertificate(fromB64(session.euiccCertificate)!);
      if (!verifyRaw(euicc.publicKey, response.euiccSignature2.value, response.euiccSigned2.raw, fromB64(session.smdpSignature2)!)) return this.endSession(session, ES9_STATUS.euiccSignatureInvalid);
      if (toHex(response.transactionId) !== session.transactionId) return refuse(ES9_STATUS.unknownTransaction);
      const now = this.now();
      const bound = await this.ctx.store.transaction(async (tx): Promise<{ profile: EsimProfile; download: DownloadDoc } | Es9StatusCode> => {
        await this.stillIn(tx, session);
        const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, session.iccid!);
        const download = profile ? await this.downloadOf(tx, profile) : undefined;
        if (!profile || !download || download.transactionId !== session.transactionId) return ES9_STATUS.unknownTransaction;
        if (session.ccRequired) {
          const status = this.checkConfirmationCode(download, response.hashCc, session.transactionId);
          if (status) {
            const failures = status === ES9_STATUS.confirmationCodeMissing ? download.ccFailures : download.ccFailures + 1;
            const locked = failures >= this.config.confirmationCodeAttempts;
            await tx.put(ESIM_KINDS.download, profile.iccid, { ...release(download, now, `confirmation code: ${status.message}`), ccFailures: failures, ...(locked ? { state: 'locked' } : {}) } satisfies DownloadDoc);
            await tx.delete(ESIM_KINDS.session, session.transactionId);
            return locked ? ES9_STATUS.confirmationCodeRetriesExceeded : status;
          }
        }
        const next: DownloadDoc = { ...download, state: 'bound', eid: session.eid!, euiccCertificate: session.euiccCertificate!, ccFailures: 0, updatedAt: now };
        await tx.put(ESIM_KINDS.download, profile.iccid, next);
        await tx.put(ESIM_KINDS.session, session.transactionId, { ...session, state: 'bound' } satisfies SessionDoc);
        return { profile, download: next };
      });
      if (!('profile' in bound)) return refuse(bound);
      const bpp = bindProfilePackage({
        transactionId: Buffer.from(session.transactionId, 'hex'),
        eid: session.eid!,
        euiccOtpk: response.euiccOtpk,
        dpPb: this.pki.dpPb,
        smdpOid: this.smdpOid,
        metadata: this.metadataOf(bound.profile),
        profile: { iccid: bound.profile.iccid, imsi: bound.profile.imsi, spn: 'cellgate', profileType: `cellgate ${bound.profile.subscription}`, ki: new Uint8Array(randomBytes(16)), opc: new Uint8Array(randomBytes(16)) },
        replaceSessionKeys: this.config.replaceSessionKeys,
      });
      this.ctx.logger.info({ iccid: bound.profile.iccid, eid: session.eid, transactionId: session.transactionId, bytes: bpp.length }, 'SM-DP+: bound profile package delivered');
      return success({ transactionId: session.transactionId, boundProfilePackage: b64(bpp) });
    });
  }

  // ---- ES9+.CancelSession (§5.6.5) ----------------------------------------------------------

  cancelSession(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      const transactionId = typeof body.transactionId === 'string' ? body.transactionId.toUpperCase() : '';
      const session = await readOnly(this.ctx.store, (tx) => tx.get<SessionDoc>(ESIM_KINDS.session, transactionId));
      if (!session) return refuse(ES9_STATUS.unknownTransaction);
      const response = decodeCancelSessionResponse(bytesField(body, 'cancelSessionResponse'));
      let reason = 'cancelled';
      if (response.ok) {
        // The card's signature can be checked once its certificate is known (after AuthenticateClient).
        if (session.euiccCertificate && !verifyRaw(parseCertificate(fromB64(session.euiccCertificate)!).publicKey, response.signature, response.signed.raw)) return refuse(ES9_STATUS.euiccSignatureInvalid);
        if (response.smdpOid !== this.smdpOid) return refuse(ES9_STATUS.smdpOidInvalid);
        if (toHex(response.transactionId) !== session.transactionId) return refuse(ES9_STATUS.unknownTransaction);
        reason = `cancelled: ${nameOf({ endUserRejection: 0, postponed: 1, timeout: 2, pprNotAllowed: 3, metadataMismatch: 4, loadBppExecutionError: 5, undefinedReason: 127 }, response.reason)}`;
      }
      await this.endSessionWith(session, reason);
      this.ctx.logger.info({ transactionId, reason }, 'SM-DP+: session cancelled');
      return success({});
    });
  }

  // ---- ES9+.HandleNotification (§5.6.4) and the MQTT path -----------------------------------

  /** ES9+.HandleNotification: always accepted (204) once well-formed; the outcome is logged. */
  async handleNotification(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      const outcome = await this.handlePendingNotification(bytesField(body, 'pendingNotification'));
      if (outcome.outcome === 'refused') this.ctx.logger.warn({ code: outcome.error.code, message: outcome.error.message }, 'SM-DP+: notification refused');
      return success({});
    });
  }

  /**
   * Verifies a signed PendingNotification and applies it: a ProfileInstallationResult against the
   * eUICC certificate of its download, another notification against its own certificate chain
   * (eUICC → EUM → a trusted CI). The EID comes from the certificate, never from the sender.
   */
  async handlePendingNotification(bytes: Uint8Array): Promise<EsimNotificationOutcome> {
    let n: PendingNotificationValue;
    try {
      n = decodePendingNotification(bytes);
    } catch (e) {
      return notificationRefused('CGW0004', `(not a PendingNotification: ${(e as Error).message})`);
    }
    if (n.kind === 'other') {
      let eid: string | undefined;
      try {
        const chain = this.checkCardChain(n.euiccCertificate, n.eumCertificate);
        if (!verifyRaw(chain.euicc.publicKey, n.signature, n.tbs.raw)) return notificationRefused('CGW0004', '(eUICC signature does not verify)');
        eid = chain.euicc.subjectSerialNumber;
      } catch (e) {
        if (e instanceof Refusal) return notificationRefused('CGW0004', `(${e.status.message})`);
        throw e;
      }
      if (!eid || !n.metadata.iccid) return notificationRefused('CGW0004', '(no EID or ICCID)');
      return applyEsimNotification(this.ctx, { eid, seqNumber: n.metadata.seqNumber, event: n.metadata.event, iccid: n.metadata.iccid });
    }
    return this.applyInstallationResult(n);
  }

  /** Whether a notification concerns a profile this SM-DP+ delivered, or the result of one of its downloads. */
  async owns(iccid: string | undefined, pendingNotification: Uint8Array): Promise<boolean> {
    let transactionId: string | undefined;
    try {
      const n = decodePendingNotification(pendingNotification);
      if (n.kind === 'install') transactionId = toHex(n.pir.transactionId);
      iccid = n.kind === 'install' ? (n.pir.metadata.iccid ?? iccid) : (n.metadata.iccid ?? iccid);
    } catch {
      return false;
    }
    return readOnly(this.ctx.store, async (tx) => {
      if (transactionId && (await tx.get(ESIM_KINDS.session, transactionId))) return true;
      const d = iccid ? await tx.get<DownloadDoc>(ESIM_KINDS.download, iccid) : null;
      if (!d) return false;
      return transactionId ? d.transactionId === transactionId || d.state === 'installed' : d.state !== 'available';
    });
  }

  private async applyInstallationResult(n: Extract<PendingNotificationValue, { kind: 'install' }>): Promise<EsimNotificationOutcome> {
    const { pir } = n;
    const transactionId = toHex(pir.transactionId);
    const found = await readOnly(this.ctx.store, async (tx) => {
      const session = await tx.get<SessionDoc>(ESIM_KINDS.session, transactionId);
      const iccid = pir.metadata.iccid ?? session?.iccid;
      const download = iccid ? await tx.get<DownloadDoc>(ESIM_KINDS.download, iccid) : null;
      return { session, download };
    });
    const certificate = found.session?.euiccCertificate ?? (found.download?.transactionId === transactionId ? found.download.euiccCertificate : undefined);
    if (!certificate || !found.download) return notificationRefused('CGW0003', `(no download with transaction ${transactionId})`);
    const euicc = parseCertificate(fromB64(certificate)!);
    if (!verifyRaw(euicc.publicKey, pir.signature, pir.data.raw)) return notificationRefused('CGW0004', '(euiccSignPIR does not verify)');
    const eid = euicc.subjectSerialNumber!;
    const iccid = found.download.iccid;
    const now = this.now();
    if (pir.result.ok) {
      // The profile's status and the SM-DP+'s record of the download change in one commit.
      return applyEsimNotification(this.ctx, { eid, seqNumber: pir.metadata.seqNumber, event: 'install', iccid }, undefined, async (tx) => {
        const d = await tx.get<DownloadDoc>(ESIM_KINDS.download, iccid);
        if (d) {
          const next: DownloadDoc = { ...d, state: 'installed', eid, lastResult: 'installed', updatedAt: now };
          // ES12.DeleteEvent (SGP.22 §3.6.3, §5.9.2): the profile is on the card, the event has served.
          if (d.eventId) await this.dropEvent(tx, next);
          await tx.put(ESIM_KINDS.download, iccid, next);
        }
        await tx.delete(ESIM_KINDS.session, transactionId);
      });
    }
    const why = `${nameOf(BppCommandId, pir.result.bppCommandId)}: ${nameOf(InstallErrorReason, pir.result.errorReason)}`;
    this.ctx.logger.warn({ iccid, eid, transactionId, why }, 'SM-DP+: profile installation failed on the eUICC');
    return this.applyInstallationFailure(eid, pir.metadata.seqNumber, iccid, transactionId, why);
  }

  /** A failed installation: INSTALLATION_FAILED, profile released for a new download (deduplicated by EID + seq). */
  private async applyInstallationFailure(eid: string, seqNumber: number, iccid: string, transactionId: string, why: string): Promise<EsimNotificationOutcome> {
    const now = this.now();
    return useCase(this.ctx, async (tx, emit): Promise<EsimNotificationOutcome> => {
      const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, iccid);
      if (!profile) return notificationRefused('CGW0003', `(${iccid})`);
      const key = `${eid}:${seqNumber}`;
      if (await tx.get(ESIM_KINDS.notification, key)) return { outcome: 'duplicate', duplicate: true, profile };
      await tx.put(ESIM_KINDS.notification, key, { eid, seqNumber, iccid, event: 'install', at: now, failed: why }, eid);
      const download = await tx.get<DownloadDoc>(ESIM_KINDS.download, iccid);
      // Only the failed session's own binding is released (a newer download may be under way).
      if (download && download.state !== 'installed' && download.transactionId === transactionId) await tx.put(ESIM_KINDS.download, iccid, release(download, now, `installation failed: ${why}`));
      await tx.delete(ESIM_KINDS.session, transactionId);
      // A failure reported after another attempt installed the profile changes nothing.
      const outcome = applyProfileEvent(profile, { type: 'installation', result: 'failed' }, now);
      if (!outcome.ok) return { outcome: 'applied', duplicate: false, profile };
      await tx.put(ESIM_KINDS.profile, iccid, outcome.value.profile, profile.profileOrderId);
      await emit(outcome.value.events);
      return { outcome: 'applied', duplicate: false, profile: outcome.value.profile };
    });
  }

  // ---- operator side ------------------------------------------------------------------------

  /**
   * Requires a confirmation code for a profile's download (cellgate-only: the reference API has no
   * such call). The activation code gains the flag (`LPA:1$<smdp>$<matchingId>$$1`, SGP.22 §4.1).
   */
  async setConfirmationCode(operatorId: string, iccid: string, code: string | null): Promise<EsimProfile> {
    return this.ctx.store.transaction(async (tx) => {
      const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, iccid);
      if (!profile || profile.operatorId !== operatorId) throw new PlatformError(domainError('CGW0003', `(${iccid})`));
      if (profile.state !== 'registered') throw new PlatformError(domainError('EPO0010'));
      const download = await this.downloadOf(tx, profile);
      const hash = code === null ? undefined : createHash('sha256').update(code, 'utf8').digest('hex');
      const next: DownloadDoc = { ...download, ccFailures: 0, updatedAt: this.now(), ...(hash ? { confirmationCodeHash: hash } : {}) };
      if (!hash) delete next.confirmationCodeHash;
      if (next.state === 'locked') next.state = 'available';
      await tx.put(ESIM_KINDS.download, iccid, next);
      const base = `LPA:1$${profile.smdpAddress}$${profile.matchingId}`;
      const updated: EsimProfile = { ...profile, activationCode: hash ? `${base}$$1` : base, lastModifiedTime: this.now() };
      await tx.put(ESIM_KINDS.profile, iccid, updated, profile.profileOrderId);
      return updated;
    });
  }

  /**
   * Binds a profile to the EID of the eUICC that is to download it (cellgate-only: neither seed 002
   * nor the reference API knows an EID on an order; docs/smdp.md#binding-a-profile-to-an-eid), and
   * registers an event for that EID at the SM-DS (ES12.RegisterEvent) so the device discovers it
   * without an activation code. `eid` null removes the binding and deletes the event. Rebinding
   * replaces the event. A profile already installed cannot be bound (CGW0006).
   */
  async bindEid(operatorId: string, iccid: string, eid: string | null): Promise<EidBinding> {
    if (eid !== null && !/^\d{32}$/.test(eid)) throw new PlatformError(domainError('CGW0005'));
    return this.ctx.store.transaction(async (tx) => {
      const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, iccid);
      if (!profile || profile.operatorId !== operatorId) throw new PlatformError(domainError('CGW0003', `(${iccid})`));
      const download = await this.downloadOf(tx, profile);
      if (download.state === 'installed' || !applyProfileEvent(profile, { type: 'download' }, this.now()).ok) throw new PlatformError(domainError('CGW0006'));
      const next: DownloadDoc = { ...download, updatedAt: this.now() };
      if (next.eventId) await this.dropEvent(tx, next);
      delete next.targetEid;
      const smds = this.ctx.smds;
      if (eid !== null) {
        next.targetEid = eid;
        if (smds) {
          next.eventId = `EV${toHex(new Uint8Array(randomBytes(12)))}`;
          await tx.put(ESIM_KINDS.smdpEvent, next.eventId, { iccid });
          await smds.registerEvent(tx, { eventId: next.eventId, eid, rspServerAddress: this.address });
        }
      }
      await tx.put(ESIM_KINDS.download, iccid, next);
      this.ctx.logger.info({ iccid, eid, eventId: next.eventId }, eid ? 'SM-DP+: profile bound to an EID' : 'SM-DP+: EID binding removed');
      return bindingOf(next, smds?.address);
    });
  }

  /** CERT.EUM.ECDSA for a caller's P-256 key, issued by the platform's test CI (docs/smdp.md, "EUM certificates for card factories"). */
  issueEumCertificate(publicKeyPem: string): IssuedEum {
    const { privateKey } = this.pki.ci;
    if (!privateKey) throw new PlatformError(domainError('CGW0007', `(${this.pki.dir ?? 'the SM-DP+ PKI'} has no ci.key.pem)`));
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(publicKeyPem);
    } catch {
      throw new PlatformError(domainError('CGW0008'));
    }
    if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new PlatformError(domainError('CGW0008', `(${publicKey.asymmetricKeyType} ${publicKey.asymmetricKeyDetails?.namedCurve ?? ''})`.replace(' )', ')')));
    // [choice] One subject for every issued EUM; its key identifier tells them apart.
    const certificate = issueEumCertificateFor({ certificate: this.pki.ci.certificate, privateKey }, publicKey, { country: 'XX', organization: 'cellgate fleet EUM', commonName: 'cellgate issued EUM' }, this.now());
    this.ctx.logger.info({ keyId: toHex(parseCertificate(certificate).subjectKeyIdentifier) }, 'SM-DP+: EUM certificate issued');
    return { eumCertificate: toPem('CERTIFICATE', certificate), ciCertificate: toPem('CERTIFICATE', this.pki.ci.certificate), smdpAddress: this.address };
  }

  /** A profile's EID binding and SM-DS event. */
  async eidBinding(operatorId: string, iccid: string): Promise<EidBinding> {
    return readOnly(this.ctx.store, async (tx) => {
      const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, iccid);
      if (!profile || profile.operatorId !== operatorId) throw new PlatformError(domainError('CGW0003', `(${iccid})`));
      return bindingOf(await this.downloadOf(tx, profile), this.ctx.smds?.address);
    });
  }

  /** ES12.DeleteEvent for the download's event, and the SM-DP+'s event index (mutates `d`). */
  private async dropEvent(tx: StoreTx, d: DownloadDoc): Promise<void> {
    await tx.delete(ESIM_KINDS.smdpEvent, d.eventId!);
    await this.ctx.smds?.deleteEvent(tx, d.eventId!);
    delete d.eventId;
  }

  /** The SM-DP+'s view of a profile's download (for the operator and tests). */
  downloadState(iccid: string): Promise<DownloadDoc | null> {
    return readOnly(this.ctx.store, (tx) => tx.get<DownloadDoc>(ESIM_KINDS.download, iccid));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private metadataOf(profile: EsimProfile) {
    return {
      iccid: profile.iccid,
      serviceProviderName: 'cellgate',
      profileName: `cellgate ${profile.subscription}`,
      profileClass: 'operational' as const,
      // Enable / disable / delete are reported to this SM-DP+ (SGP.22 §5.5.3); install always is.
      notificationConfiguration: (['enable', 'disable', 'delete'] as const).map((event) => ({ event, address: this.address })),
    };
  }

  /**
   * The session a request continues, read from the store's committed state (any platform process
   * may have written it), without a commit of its own: the step's write transaction checks it again.
   */
  private async loadSession(body: Record<string, unknown>, state: SessionDoc['state']): Promise<SessionDoc> {
    const transactionId = typeof body.transactionId === 'string' ? body.transactionId.toUpperCase() : '';
    const session = await readOnly(this.ctx.store, (tx) => tx.get<SessionDoc>(ESIM_KINDS.session, transactionId));
    if (!session || session.state !== state || this.now() - session.createdAt > this.config.sessionTtlMs) throw new Refusal(ES9_STATUS.unknownTransaction);
    return session;
  }

  /** Inside a step's write transaction: the session is still where `loadSession` found it (no concurrent step moved it). */
  private async stillIn(tx: StoreTx, session: SessionDoc): Promise<void> {
    const now = await tx.get<SessionDoc>(ESIM_KINDS.session, session.transactionId);
    if (!now || now.state !== session.state) throw new Refusal(ES9_STATUS.unknownTransaction);
  }

  private async endSession(session: SessionDoc, status: Es9StatusCode): Promise<Es9Result> {
    await this.endSessionWith(session, status.message ?? 'refused');
    return refuse(status);
  }

  private async endSessionWith(session: SessionDoc, why: string): Promise<void> {
    const now = this.now();
    await this.ctx.store.transaction(async (tx) => {
      await tx.delete(ESIM_KINDS.session, session.transactionId);
      if (!session.iccid) return;
      const download = await tx.get<DownloadDoc>(ESIM_KINDS.download, session.iccid);
      if (download && download.transactionId === session.transactionId && download.state !== 'installed' && download.state !== 'locked') {
        await tx.put(ESIM_KINDS.download, session.iccid, release(download, now, why));
      }
    });
  }

  /** eUICC certificate → EUM → a trusted CI (optionally the one the session chose). */
  private checkCardChain(euiccDer: Uint8Array, eumDer: Uint8Array, ciPkid?: string): { euicc: ParsedCertificate; eum: ParsedCertificate } {
    return checkCardChain(this.cis, euiccDer, eumDer, this.now(), ciPkid);
  }

  /**
   * The profile a MatchingID names: an activation code's matching ID, or an SM-DS event's ID
   * (SGP.22 §3.1.3: in the SM-DS case the MatchingID is the EventID, and the SM-DP+ checks the EID
   * it was registered for — `checkDownloadable` refuses any other EID with 8.1.1 / 3.8).
   */
  private async profileByMatchingId(tx: StoreTx, matchingId: string): Promise<{ profile: EsimProfile; download: DownloadDoc }> {
    const index = (await tx.get<{ iccid: string }>(ESIM_KINDS.matchingId, matchingId)) ?? (await tx.get<{ iccid: string }>(ESIM_KINDS.smdpEvent, matchingId));
    const profile = index ? await tx.get<EsimProfile>(ESIM_KINDS.profile, index.iccid) : null;
    if (!profile) throw new Refusal(ES9_STATUS.matchingIdRefused);
    const download = await this.downloadOf(tx, profile);
    if (profile.matchingId !== matchingId && download.eventId !== matchingId) throw new Refusal(ES9_STATUS.matchingIdRefused);
    return { profile, download };
  }

  private async downloadOf(tx: StoreTx, profile: EsimProfile): Promise<DownloadDoc> {
    return (await tx.get<DownloadDoc>(ESIM_KINDS.download, profile.iccid)) ?? { iccid: profile.iccid, matchingId: profile.matchingId, profileOrderId: profile.profileOrderId, state: 'available', ccFailures: 0, updatedAt: this.now() };
  }

  private async checkDownloadable(tx: StoreTx, profile: EsimProfile, download: DownloadDoc, eid: string): Promise<void> {
    if (download.state === 'installed' || !applyProfileEvent(profile, { type: 'download' }, this.now()).ok) throw new Refusal(ES9_STATUS.matchingIdRefused);
    if (download.state === 'locked') throw new Refusal(ES9_STATUS.downloadRetriesExceeded);
    const sim = await tx.get<Subscriber>(SUBSCRIBER_KIND, profile.imsi);
    if (!sim || sim.status === 'terminated') throw new Refusal(ES9_STATUS.downloadOrderExpired);
    // A profile the operator bound to an EID downloads to that eUICC only (by activation code or SM-DS event).
    if (download.targetEid !== undefined && download.targetEid !== eid) throw new Refusal(ES9_STATUS.eidMismatch);
    const stale = download.sessionAt === undefined || this.now() - download.sessionAt > this.config.sessionTtlMs;
    // A BPP delivered to one eUICC binds the profile to it until that card reports the result.
    if (download.state === 'bound' && download.eid !== eid && !stale) throw new Refusal(ES9_STATUS.eidMismatch);
  }

  private checkConfirmationCode(download: DownloadDoc, hashCc: Uint8Array | undefined, transactionId: string): Es9StatusCode | undefined {
    if (!hashCc) return ES9_STATUS.confirmationCodeMissing;
    // SGP.22 §3.1.3.4: Hashed Confirmation Code = SHA256(SHA256(Confirmation Code) | TransactionID).
    const expected = createHash('sha256').update(Buffer.from(download.confirmationCodeHash!, 'hex')).update(Buffer.from(transactionId, 'hex')).digest();
    return equalBytes(expected, hashCc) ? undefined : ES9_STATUS.confirmationCodeRefused;
  }
}

function bindingOf(d: DownloadDoc, smdsAddress: string | undefined): EidBinding {
  return { iccid: d.iccid, eid: d.targetEid ?? null, ...(d.eventId ? { eventId: d.eventId, ...(smdsAddress ? { smdsAddress } : {}) } : {}), state: d.state };
}

function release(d: DownloadDoc, now: number, why: string): DownloadDoc {
  const next: DownloadDoc = { ...d, state: 'available', lastResult: why, updatedAt: now };
  delete next.eid;
  delete next.transactionId;
  delete next.sessionAt;
  return next;
}

function bytesField(body: Record<string, unknown>, name: string): Uint8Array {
  const bytes = fromB64(body[name]);
  if (!bytes || bytes.length === 0) throw new BerTlvError('bad-value', `${name} must be base64`);
  return bytes;
}

function notificationRefused(code: 'CGW0003' | 'CGW0004', detail: string): EsimNotificationOutcome {
  const e = domainError(code, detail);
  return { outcome: 'refused', duplicate: false, error: { code: e.code, message: e.message } };
}

