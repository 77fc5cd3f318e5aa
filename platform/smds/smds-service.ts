/**
 * The platform's SM-DS (SGP.22 §3.6, ES11 §5.8, ES12 §5.9): the discovery server an LPA asks
 * "is there a profile waiting for my eUICC?". It authenticates to the card with its own
 * certificate (CERT.DS.AUTH, chained to the platform's test CI) in the common mutual
 * authentication of §3.1.2, learns the EID from the card's certificate chain, and answers with the
 * event entries (eventId + SM-DP+ address) the SM-DP+ registered for that EID over ES12.
 *
 * Sessions and events are store documents (a restart loses nothing); an ES11 session ends with
 * its AuthenticateClient.
 */
import { randomBytes } from 'node:crypto';
import { BerTlvError, toHex } from '../../common/ber-tlv.js';
import { wrap } from '../../common/rsp/der.js';
import { signRaw, verifyRaw } from '../../common/rsp/ecdsa.js';
import { b64, ES9_STATUS, fromB64, type EventEntry, type Es9StatusCode } from '../../common/rsp/es9.js';
import type { CertAndKey } from '../../common/rsp/pki.js';
import { decodeAuthenticateServerResponse, decodeEuiccInfo1, encodeServerSigned1, RspTag } from '../../common/rsp/messages.js';
import { parseCertificate, type ParsedCertificate } from '../../common/rsp/x509.js';
import type { AppContext } from '../app/context.js';
import { ESIM_KINDS } from '../app/esim-kinds.js';
import type { SmdsEs12Port } from '../app/smdp-port.js';
import { readOnly, type StoreTx } from '../store/port.js';
import { answerOrRefuse, checkCardChain, checkInitiateAuthentication, type Es9Result } from '../smdp/rsp-auth.js';

/** The SM-DS's keys and the CIs whose EUMs it accepts. */
export interface SmdsPki {
  dsAuth: CertAndKey;
  dsTls: CertAndKey;
  /** Its own CI first (the one CERT.DS.AUTH chains to). */
  trustedCis: Uint8Array[];
}

export interface SmdsConfig {
  /** An ES11 session not finished within this time is refused [choice: 5 min, as an LPA runs it in seconds]. */
  sessionTtlMs: number;
}

export const DEFAULT_SMDS_CONFIG: SmdsConfig = { sessionTtlMs: 5 * 60_000 };

/** An event as the SM-DS keeps it (ES12.RegisterEvent). */
export interface SmdsEventDoc extends EventEntry {
  eid: string;
  registeredAt: number;
}

interface SmdsSessionDoc {
  transactionId: string;
  serverChallenge: string;
  ciPkid: string;
  createdAt: number;
}

const refuse = (status: Es9StatusCode): Es9Result => ({ ok: false, status });

export class SmdsService implements SmdsEs12Port {
  readonly config: SmdsConfig;
  private readonly dsAuth: ParsedCertificate;
  private readonly cis: ParsedCertificate[];

  constructor(
    private readonly ctx: AppContext,
    readonly pki: SmdsPki,
    config: Partial<SmdsConfig> = {},
  ) {
    this.config = { ...DEFAULT_SMDS_CONFIG, ...config };
    this.dsAuth = parseCertificate(pki.dsAuth.certificate);
    this.cis = pki.trustedCis.map(parseCertificate);
  }

  /** The SM-DS address (`host[:port]`) a card's rootDsAddress names. */
  get address(): string {
    return this.ctx.config.smdsAddress;
  }

  private now(): number {
    return this.ctx.clock.now();
  }


  // ---- ES11.InitiateAuthentication (§5.8.1, JSON §6.5.2.6) ----------------------------------

  initiateAuthentication(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      // SGP.22 names it smdsAddress; lpac's discovery sends the ES9+ body (smdpAddress): both are the server's address.
      const named = typeof body.smdsAddress === 'string' ? body.smdsAddress : typeof body.smdpAddress === 'string' ? body.smdpAddress : '';
      if (named.toLowerCase() !== this.address.toLowerCase()) return refuse(ES9_STATUS.invalidSmdsAddress);
      const challenge = bytesField(body, 'euiccChallenge');
      const info1 = decodeEuiccInfo1(bytesField(body, 'euiccInfo1'));
      const ourCi = this.dsAuth.authorityKeyIdentifier!;
      const refused = checkInitiateAuthentication(challenge, info1, ourCi);
      if (refused) return refuse(refused === ES9_STATUS.noDpAuthForCi ? ES9_STATUS.noDsAuthForCi : refused);
      const transactionId = new Uint8Array(randomBytes(16));
      const serverChallenge = new Uint8Array(randomBytes(16));
      const serverSigned1 = encodeServerSigned1({ transactionId, euiccChallenge: challenge, serverAddress: this.address, serverChallenge });
      const session: SmdsSessionDoc = { transactionId: toHex(transactionId), serverChallenge: toHex(serverChallenge), ciPkid: toHex(ourCi), createdAt: this.now() };
      await this.ctx.store.transaction((tx) => tx.put(ESIM_KINDS.smdsSession, session.transactionId, session));
      return {
        ok: true,
        body: {
          transactionId: session.transactionId,
          serverSigned1: b64(serverSigned1),
          serverSignature1: b64(wrap(RspTag.signature, signRaw(this.pki.dsAuth.privateKey, serverSigned1))),
          euiccCiPKIdToBeUsed: b64(wrap(0x04, ourCi)),
          serverCertificate: b64(this.pki.dsAuth.certificate),
        },
      };
    });
  }

  // ---- ES11.AuthenticateClient (§5.8.2, JSON §6.5.2.7) --------------------------------------

  /**
   * Verifies the card's AuthenticateServerResponse (signature, challenge, certificate chain) and
   * answers the events registered for the EID of its certificate — never an EID the sender names.
   */
  authenticateClient(body: Record<string, unknown>): Promise<Es9Result> {
    return answerOrRefuse(async () => {
      const transactionId = typeof body.transactionId === 'string' ? body.transactionId.toUpperCase() : '';
      const session = await readOnly(this.ctx.store, (tx) => tx.get<SmdsSessionDoc>(ESIM_KINDS.smdsSession, transactionId));
      if (!session || this.now() - session.createdAt > this.config.sessionTtlMs) return refuse(ES9_STATUS.unknownTransaction);
      // The session is used once, whatever the outcome.
      await this.ctx.store.transaction((tx) => tx.delete(ESIM_KINDS.smdsSession, transactionId));
      const response = decodeAuthenticateServerResponse(bytesField(body, 'authenticateServerResponse'));
      if (!response.ok) return refuse(ES9_STATUS.euiccSignatureInvalid);
      const chain = checkCardChain(this.cis, response.euiccCertificate, response.eumCertificate, this.now(), session.ciPkid);
      if (!verifyRaw(chain.euicc.publicKey, response.euiccSignature1.value, response.euiccSigned1.raw)) return refuse(ES9_STATUS.euiccSignatureInvalid);
      if (toHex(response.euiccSigned1.serverChallenge) !== session.serverChallenge) return refuse(ES9_STATUS.euiccSignatureInvalid);
      if (toHex(response.euiccSigned1.transactionId) !== session.transactionId) return refuse(ES9_STATUS.unknownTransaction);
      const eid = chain.euicc.subjectSerialNumber;
      if (!eid || !/^\d{32}$/.test(eid)) return refuse(ES9_STATUS.euiccCertificateInvalid);
      const events = await this.events(eid);
      this.ctx.logger.info({ eid, events: events.length }, 'SM-DS: event retrieval');
      return { ok: true, body: { transactionId: session.transactionId, eventEntries: events.map((e) => ({ eventId: e.eventId, rspServerAddress: e.rspServerAddress })) } };
    });
  }

  /** The events registered for `eid`, oldest first. */
  events(eid: string): Promise<SmdsEventDoc[]> {
    return readOnly(this.ctx.store, async (tx) => (await tx.list<SmdsEventDoc>(ESIM_KINDS.smdsEvent, { partition: eid })).sort((a, b) => a.registeredAt - b.registeredAt));
  }

  // ---- ES12 (§5.9), called by the platform's SM-DP+ inside its own transaction ----------------

  async registerEvent(tx: StoreTx, event: { eventId: string; eid: string; rspServerAddress: string }): Promise<void> {
    await tx.put(ESIM_KINDS.smdsEvent, event.eventId, { ...event, registeredAt: this.now() } satisfies SmdsEventDoc, event.eid);
  }

  deleteEvent(tx: StoreTx, eventId: string): Promise<boolean> {
    return tx.delete(ESIM_KINDS.smdsEvent, eventId);
  }
}

function bytesField(body: Record<string, unknown>, name: string): Uint8Array {
  const bytes = fromB64(body[name]);
  if (!bytes || bytes.length === 0) throw new BerTlvError('bad-value', `${name} must be base64`);
  return bytes;
}
