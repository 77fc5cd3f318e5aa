/**
 * Event retrieval at an SM-DS as the LPA runs it (SGP.22 §3.6.2, ES11 §5.8, LPA side): the
 * card's root SM-DS address (ES10a GetEuiccConfiguredAddresses) → ES10b GetEUICCChallenge +
 * GetEUICCInfo1 → ES11 InitiateAuthentication → ES10b AuthenticateServer (ctxParams1 =
 * ctxParamsForCommonAuthentication without a matching ID: the SM-DS asks for none) → ES11
 * AuthenticateClient → the event entries (eventId + the SM-DP+ holding the profile).
 *
 * A failure after the card joined the transaction ends in ES10b CancelSession so the card keeps
 * no session (ES11 has no CancelSession: the SM-DS session is used once, or expires).
 */
import { toHex } from '../../common/ber-tlv.js';
import { readOnly } from '../../common/rsp/der.js';
import { b64, fromB64, type EventEntry, type Es9StatusCode } from '../../common/rsp/es9.js';
import {
  AuthenticateErrorCode,
  CancelSessionReason,
  decodeAuthenticateServerResponse,
  decodeServerSigned1,
  deviceInfoFromImei,
  encodeAuthenticateServerRequest,
  encodeCancelSessionRequest,
  encodeCtxParams1,
  nameOf,
} from '../../common/rsp/messages.js';
import { Es9Error, type Es9Client } from './es9-client.js';
import { getConfiguredAddresses, getEuiccChallenge, getEuiccInfo1Raw, type Es10Exchange } from './es10b.js';
import { LpaError } from './errors.js';

export type DiscoveryStage = 'configured-addresses' | 'eUICC-challenge' | 'initiate-authentication' | 'authenticate-server' | 'authenticate-client';

export interface DiscoveryOutcome {
  ok: boolean;
  smdsAddress?: string;
  /** The events the SM-DS holds for this eUICC (empty when there are none). */
  events: EventEntry[];
  stage?: DiscoveryStage;
  reason?: string;
  /** The SM-DS's status code when it refused. */
  es9Status?: Es9StatusCode;
  /** The SM-DS could not be reached (a later attempt may succeed). */
  unreachable?: boolean;
}

class Stop extends Error {
  constructor(readonly outcome: Omit<DiscoveryOutcome, 'ok' | 'events'>) {
    super(outcome.reason ?? 'discovery stopped');
  }
}

const field = (body: Record<string, unknown>, name: string): Uint8Array => {
  const v = fromB64(body[name]);
  if (!v || v.length === 0) throw new Stop({ reason: `the SM-DS sent no valid ${name}` });
  return v;
};

/** Whether an address can never be reached (RFC 6761 `.invalid`, e.g. a simulated card's placeholder). */
export const isInvalidAddress = (address: string): boolean => /(^|\.)invalid(:\d+)?$/i.test(address.trim());

/** Runs one event retrieval on an open ISD-R session. Never throws for a refusal: the outcome says it. */
export async function retrieveEvents(exchange: Es10Exchange, es11: Pick<Es9Client, 'callEs11'>, request: { smdsAddress?: string; imei?: string }): Promise<DiscoveryOutcome> {
  let stage: DiscoveryStage = 'configured-addresses';
  let smdsAddress = request.smdsAddress;
  let transactionId: string | undefined;
  const call = async (fn: 'initiateAuthentication' | 'authenticateClient', body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    try {
      return await es11.callEs11(smdsAddress!, fn, body);
    } catch (e) {
      if (!(e instanceof Es9Error)) throw e;
      throw new Stop({ reason: e.kind === 'failed' ? (e.statusName ?? e.message) : `unreachable: ${e.message}`, ...(e.status ? { es9Status: e.status } : {}), ...(e.kind === 'transport' ? { unreachable: true } : {}) });
    }
  };
  try {
    smdsAddress ??= (await getConfiguredAddresses(exchange)).rootDsAddress;
    if (!smdsAddress) throw new Stop({ reason: 'no SM-DS address given and no root SM-DS address on the eUICC' });

    stage = 'eUICC-challenge';
    const challenge = await getEuiccChallenge(exchange);
    const info1 = await getEuiccInfo1Raw(exchange);

    stage = 'initiate-authentication';
    // SGP.22 §6.5.2.6 names the field smdsAddress.
    const init = await call('initiateAuthentication', { smdsAddress, euiccChallenge: b64(challenge), euiccInfo1: b64(info1) });
    const serverSigned1 = field(init, 'serverSigned1');
    const signed = decodeServerSigned1(readOnly(serverSigned1));
    const id = String(init.transactionId ?? '').toUpperCase();
    // SGP.22 §3.1.2: the LPA checks the server signed for the address it was given and this transaction.
    if (toHex(signed.transactionId) !== id) throw new Stop({ reason: 'transactionId differs from serverSigned1' });
    if (signed.serverAddress.toLowerCase() !== smdsAddress.toLowerCase()) throw new Stop({ reason: `the server signed for ${signed.serverAddress}` });

    stage = 'authenticate-server';
    const authResponse = await exchange(
      encodeAuthenticateServerRequest({
        serverSigned1,
        serverSignature1: field(init, 'serverSignature1'),
        euiccCiPkidToBeUsed: field(init, 'euiccCiPKIdToBeUsed'),
        serverCertificate: field(init, 'serverCertificate'),
        // No matching ID towards an SM-DS (SGP.22 §3.6.2 step 3: ctxParamsForCommonAuthentication with DeviceInfo only).
        ctxParams1: encodeCtxParams1({ deviceInfo: deviceInfoFromImei(request.imei) }),
      }),
    );
    const auth = decodeAuthenticateServerResponse(authResponse);
    if (!auth.ok) throw new Stop({ reason: `the eUICC refused the SM-DS: ${nameOf(AuthenticateErrorCode, auth.error)}` });
    transactionId = id;

    stage = 'authenticate-client';
    const client = await call('authenticateClient', { transactionId: id, authenticateServerResponse: b64(authResponse) });
    const entries = client.eventEntries ?? [];
    if (!Array.isArray(entries)) throw new Stop({ reason: 'eventEntries is not an array' });
    const events: EventEntry[] = [];
    for (const e of entries as unknown[]) {
      const { eventId, rspServerAddress } = (e ?? {}) as Record<string, unknown>;
      if (typeof eventId !== 'string' || typeof rspServerAddress !== 'string' || eventId === '' || rspServerAddress === '') throw new Stop({ reason: 'an event entry without eventId or rspServerAddress' });
      events.push({ eventId, rspServerAddress });
    }
    // The card's session ends with the next GetEUICCChallenge (the download that follows, SGP.22 §3.6.2 step 9).
    return { ok: true, smdsAddress, events };
  } catch (e) {
    if (transactionId) await cancelOnCard(exchange, transactionId).catch(() => undefined);
    if (e instanceof Stop) return { ok: false, events: [], ...(smdsAddress ? { smdsAddress } : {}), stage, ...e.outcome };
    if (e instanceof LpaError && e.code === 'LPA_BAD_RESPONSE') return { ok: false, events: [], ...(smdsAddress ? { smdsAddress } : {}), stage, reason: e.message };
    throw e;
  }
}

/** ES10b.CancelSession (§5.7.14) on the card only: a failed retrieval leaves no RSP session open. */
async function cancelOnCard(exchange: Es10Exchange, transactionId: string): Promise<void> {
  await exchange(encodeCancelSessionRequest(Buffer.from(transactionId, 'hex'), CancelSessionReason.undefinedReason));
}
