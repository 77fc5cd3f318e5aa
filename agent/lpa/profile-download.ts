/**
 * A profile download as the LPA runs it (SGP.22 §3.1.3, LPA side): activation code → eUICC
 * challenge and info → ES9+ InitiateAuthentication → ES10b AuthenticateServer → ES9+
 * AuthenticateClient → ES10b PrepareDownload (with the hashed confirmation code when required) →
 * ES9+ GetBoundProfilePackage → ES10b LoadBoundProfilePackage → the ProfileInstallationResult.
 *
 * Every failure after the card joined a transaction ends in ES10b.CancelSession with the reason
 * SGP.22 defines and, when the card signed it, ES9+.CancelSession — except a failed load, whose
 * result the card itself signed and keeps as a notification for the SM-DP+.
 */
import { createHash } from 'node:crypto';
import { BerTlvError, toHex } from '../../common/ber-tlv.js';
import { parseActivationCode } from '../../common/es10.js';
import { readOnly } from '../../common/rsp/der.js';
import { b64, fromB64, type Es9StatusCode } from '../../common/rsp/es9.js';
import {
  CancelSessionReason,
  decodeAuthenticateServerResponse,
  decodePrepareDownloadResponse,
  decodeServerSigned1,
  decodeSmdpSigned2,
  decodeStoreMetadata,
  deviceInfoFromImei,
  encodeAuthenticateServerRequest,
  encodeCancelSessionRequest,
  encodeCtxParams1,
  encodePrepareDownloadRequest,
  InstallErrorReason,
  BppCommandId,
  nameOf,
  type CancelSessionReasonName,
  type ProfileMetadata,
} from '../../common/rsp/messages.js';
import { Es9Error, type Es9Client } from './es9-client.js';
import { getConfiguredAddresses, getEuiccChallenge, getEuiccInfo1Raw, loadBoundProfilePackage, type Es10Exchange } from './es10b.js';
import { LpaError } from './errors.js';

export interface DownloadRequest {
  /** `LPA:1$<smdp>$<matchingId>[$<oid>[$<ccRequired>]]`; without it the card's default SM-DP+ address is used. */
  activationCode?: string;
  confirmationCode?: string;
  /** The module's IMEI, for DeviceInfo (TAC and IMEI). */
  imei?: string;
}

export type DownloadStage =
  | 'activation-code'
  | 'eUICC-challenge'
  | 'initiate-authentication'
  | 'authenticate-server'
  | 'authenticate-client'
  | 'prepare-download'
  | 'get-bound-profile-package'
  | 'load-bound-profile-package';

export interface DownloadOutcome {
  ok: boolean;
  smdpAddress?: string;
  transactionId?: string;
  /** The installed profile (and the profile the metadata announced, on failure). */
  iccid?: string;
  isdpAid?: string;
  /** Sequence number of the install notification the card keeps. */
  seqNumber?: number;
  metadata?: Pick<ProfileMetadata, 'serviceProviderName' | 'profileName' | 'profileClass'>;
  /** Where it failed and why. */
  stage?: DownloadStage;
  reason?: string;
  /** The SM-DP+'s status code when it refused. */
  es9Status?: Es9StatusCode;
  /** The card's ProfileInstallationResult error. */
  installError?: { bppCommandId: string; errorReason: string };
  /** The reason sent in CancelSession, when the session was cancelled. */
  cancelled?: CancelSessionReasonName;
  /** The signed ProfileInstallationResult (base64), for ES9+ HandleNotification. */
  profileInstallationResult?: string;
}

export interface DownloadHooks {
  onStage?(stage: DownloadStage): void;
  onSegment?(index: number, total: number): void;
}

class Stop extends Error {
  constructor(
    readonly outcome: Omit<DownloadOutcome, 'ok'>,
    readonly cancel?: CancelSessionReasonName,
  ) {
    super(outcome.reason ?? 'download stopped');
  }
}

const field = (body: Record<string, unknown>, name: string): Uint8Array => {
  const v = fromB64(body[name]);
  if (!v || v.length === 0) throw new LpaError('LPA_BAD_RESPONSE', `the SM-DP+ sent no valid ${name}`);
  return v;
};

/** Runs one download on an open ISD-R session. Never throws for a refusal: the outcome says it. */
export async function downloadProfile(exchange: Es10Exchange, es9: Pick<Es9Client, 'call'>, request: DownloadRequest, hooks: DownloadHooks = {}): Promise<DownloadOutcome> {
  let smdpAddress: string | undefined;
  let transactionId: string | undefined;
  let stage: DownloadStage = 'activation-code';
  const enter = (s: DownloadStage): void => {
    stage = s;
    hooks.onStage?.(s);
  };
  const es9Call = async (fn: Parameters<Es9Client['call']>[1], body: Record<string, unknown>, cancel: CancelSessionReasonName): Promise<Record<string, unknown>> => {
    try {
      return await es9.call(smdpAddress!, fn, body);
    } catch (e) {
      if (!(e instanceof Es9Error)) throw e;
      // A refusal ended the session at the SM-DP+; an unreachable server gets `timeout`.
      throw new Stop({ stage, reason: e.kind === 'failed' ? (e.statusName ?? e.message) : `unreachable: ${e.message}`, ...(e.status ? { es9Status: e.status } : {}) }, e.kind === 'failed' ? cancel : 'timeout');
    }
  };

  try {
    enter('activation-code');
    let matchingId = '';
    let ccRequired = false;
    if (request.activationCode) {
      let ac;
      try {
        ac = parseActivationCode(request.activationCode);
      } catch (e) {
        if (e instanceof BerTlvError) throw new Stop({ stage, reason: `invalid activation code: ${e.message}` });
        throw e;
      }
      smdpAddress = ac.smdpAddress;
      matchingId = ac.matchingId;
      ccRequired = ac.confirmationCodeRequired;
    } else {
      smdpAddress = (await getConfiguredAddresses(exchange)).defaultDpAddress;
      if (!smdpAddress) throw new Stop({ stage, reason: 'no activation code and no default SM-DP+ address on the eUICC' });
    }
    if (ccRequired && !request.confirmationCode) throw new Stop({ stage, reason: 'the activation code requires a confirmation code' });

    enter('eUICC-challenge');
    const challenge = await getEuiccChallenge(exchange);
    const info1 = await getEuiccInfo1Raw(exchange);

    enter('initiate-authentication');
    const init = await es9.call(smdpAddress, 'initiateAuthentication', { smdpAddress, euiccChallenge: b64(challenge), euiccInfo1: b64(info1) }).catch((e: unknown) => {
      if (!(e instanceof Es9Error)) throw e;
      throw new Stop({ stage, reason: e.kind === 'failed' ? (e.statusName ?? e.message) : `unreachable: ${e.message}`, ...(e.status ? { es9Status: e.status } : {}) });
    });
    transactionId = String(init.transactionId ?? '').toUpperCase();
    const serverSigned1 = field(init, 'serverSigned1');
    const signed = decodeServerSigned1(readOnly(serverSigned1));
    // SGP.22 §3.1.2: the LPA checks the server answered for the address it was given and the challenge it sent.
    if (toHex(signed.transactionId) !== transactionId) throw new Stop({ stage, reason: 'transactionId differs from serverSigned1' });
    if (signed.serverAddress.toLowerCase() !== smdpAddress.toLowerCase()) throw new Stop({ stage, reason: `the server signed for ${signed.serverAddress}` });

    enter('authenticate-server');
    const ctxParams1 = encodeCtxParams1({ matchingId, deviceInfo: deviceInfoFromImei(request.imei) });
    const authResponse = await exchange(
      encodeAuthenticateServerRequest({
        serverSigned1,
        serverSignature1: field(init, 'serverSignature1'),
        euiccCiPkidToBeUsed: field(init, 'euiccCiPKIdToBeUsed'),
        serverCertificate: field(init, 'serverCertificate'),
        ctxParams1,
      }),
    );
    const auth = decodeAuthenticateServerResponse(authResponse);
    if (!auth.ok) throw new Stop({ stage, reason: `the eUICC refused the server: ${nameOf({ invalidCertificate: 1, invalidSignature: 2, unsupportedCurve: 3, noSessionContext: 4, invalidOid: 5, euiccChallengeMismatch: 6, ciPKUnknown: 7, undefinedError: 127 }, auth.error)}` });

    enter('authenticate-client');
    const client = await es9Call('authenticateClient', { transactionId, authenticateServerResponse: b64(authResponse) }, 'undefinedReason');
    const metadata = client.profileMetadata ? decodeStoreMetadata(field(client, 'profileMetadata')) : undefined;
    const smdpSigned2 = field(client, 'smdpSigned2');
    const signed2 = decodeSmdpSigned2(readOnly(smdpSigned2));
    const announced = metadata ? { iccid: metadata.iccid, metadata: { serviceProviderName: metadata.serviceProviderName, profileName: metadata.profileName, profileClass: metadata.profileClass } } : {};
    if (toHex(signed2.transactionId) !== transactionId) throw new Stop({ stage, reason: 'smdpSigned2 is for another transaction', ...announced }, 'undefinedReason');
    if (signed2.ccRequired && !request.confirmationCode) throw new Stop({ stage, reason: 'the SM-DP+ requires a confirmation code', ...announced }, 'postponed');

    enter('prepare-download');
    const hashCc = signed2.ccRequired
      ? new Uint8Array(createHash('sha256').update(createHash('sha256').update(request.confirmationCode!, 'utf8').digest()).update(signed2.transactionId).digest())
      : undefined;
    const prepared = await exchange(
      encodePrepareDownloadRequest({ smdpSigned2, smdpSignature2: field(client, 'smdpSignature2'), ...(hashCc ? { hashCc } : {}), smdpCertificate: field(client, 'smdpCertificate') }),
    );
    const prepare = decodePrepareDownloadResponse(prepared);
    if (!prepare.ok) throw new Stop({ stage, reason: `the eUICC refused the binding: ${nameOf({ invalidCertificate: 1, invalidSignature: 2, unsupportedCurve: 3, noSessionContext: 4, invalidTransactionId: 5, undefinedError: 127 }, prepare.error)}`, ...announced }, 'undefinedReason');

    enter('get-bound-profile-package');
    const bppBody = await es9Call('getBoundProfilePackage', { transactionId, prepareDownloadResponse: b64(prepared) }, 'undefinedReason');
    const bpp = field(bppBody, 'boundProfilePackage');

    enter('load-bound-profile-package');
    let loaded;
    try {
      loaded = await loadBoundProfilePackage(exchange, bpp, hooks.onSegment);
    } catch (e) {
      if (e instanceof LpaError && e.code === 'LPA_BAD_RESPONSE') throw new Stop({ stage, reason: e.message, ...announced }, 'loadBppExecutionError');
      throw e;
    }
    const { result } = loaded;
    const common = { smdpAddress, transactionId, seqNumber: result.metadata.seqNumber, profileInstallationResult: b64(loaded.raw), ...announced };
    if (!result.result.ok) {
      // The card signed the failure and keeps it as a notification: no CancelSession (SGP.22 §3.1.3.3).
      return {
        ok: false,
        ...common,
        stage,
        reason: `installation failed: ${nameOf(InstallErrorReason, result.result.errorReason)}`,
        installError: { bppCommandId: nameOf(BppCommandId, result.result.bppCommandId), errorReason: nameOf(InstallErrorReason, result.result.errorReason) },
      };
    }
    return { ok: true, ...common, ...(result.metadata.iccid ? { iccid: result.metadata.iccid } : {}), isdpAid: toHex(result.result.isdpAid) };
  } catch (e) {
    if (!(e instanceof Stop)) {
      // The card or the modem failed mid-flow: try to leave the card clean; the SM-DP+ session then times out.
      if (transactionId) await cancel(exchange, es9, smdpAddress!, transactionId, 'loadBppExecutionError').catch(() => undefined);
      throw e;
    }
    const outcome: DownloadOutcome = { ok: false, ...(smdpAddress ? { smdpAddress } : {}), ...(transactionId ? { transactionId } : {}), ...e.outcome };
    if (e.cancel && transactionId) {
      const done = await cancel(exchange, es9, smdpAddress!, transactionId, e.cancel).catch(() => false);
      if (done) outcome.cancelled = e.cancel;
    }
    return outcome;
  }
}

/** ES10b.CancelSession, then ES9+.CancelSession with the card's signed answer (best effort). */
async function cancel(exchange: Es10Exchange, es9: Pick<Es9Client, 'call'>, smdpAddress: string, transactionId: string, reason: CancelSessionReasonName): Promise<boolean> {
  const response = await exchange(encodeCancelSessionRequest(Buffer.from(transactionId, 'hex'), CancelSessionReason[reason]));
  await es9.call(smdpAddress, 'cancelSession', { transactionId, cancelSessionResponse: b64(response) }).catch(() => undefined);
  return true;
}
