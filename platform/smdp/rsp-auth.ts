/**
 * The server half of SGP.22's common mutual authentication (§3.1.2), shared by the SM-DP+ (ES9+)
 * and the SM-DS (ES11): the checks of InitiateAuthentication on EUICCInfo1, and the eUICC's
 * certificate chain (eUICC → EUM → a trusted CI) of AuthenticateClient.
 */
import { BerTlvError, toHex } from '../../common/ber-tlv.js';
import { equalBytes } from '../../common/rsp/der.js';
import { ES9_STATUS, type Es9StatusCode } from '../../common/rsp/es9.js';
import type { EuiccInfo1 } from '../../common/rsp/messages.js';
import { checkIssued, parseCertificate, type ParsedCertificate } from '../../common/rsp/x509.js';

/** A refusal with its SGP.22 status code (turned into a `Failed` answer by the caller). */
export class Refusal extends Error {
  constructor(readonly status: Es9StatusCode) {
    super(status.message);
  }
}

/** What one ES9+ / ES11 function answers: its JSON body, or a `Failed` status. */
export type Es9Result = { ok: true; body: Record<string, unknown> } | { ok: false; status: Es9StatusCode };

/**
 * Runs one ES9+ / ES11 function: a `Refusal`, or a payload that does not decode, becomes a
 * `Failed` answer with its status code; anything else is a bug and propagates.
 */
export async function answerOrRefuse(fn: () => Promise<Es9Result>): Promise<Es9Result> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, status: e.status };
    if (e instanceof BerTlvError || e instanceof RangeError) return { ok: false, status: { ...ES9_STATUS.invalidRequest, message: `${ES9_STATUS.invalidRequest.message}: ${e.message}` } };
    throw e;
  }
}

/**
 * InitiateAuthentication's checks (SGP.22 §5.6.1 / §5.8.1): a 16-byte challenge, SVN 2.x, and
 * our CI among the card's CIs for signing and verification. Undefined when all pass.
 */
export function checkInitiateAuthentication(challenge: Uint8Array, info1: EuiccInfo1, ourCi: Uint8Array): Es9StatusCode | undefined {
  if (challenge.length !== 16) return ES9_STATUS.invalidRequest;
  if (info1.svn[0] !== 2) return ES9_STATUS.unsupportedSvn;
  if (!info1.ciPkidsForSigning.some((p) => equalBytes(p, ourCi))) return ES9_STATUS.unsupportedCiPkid;
  if (!info1.ciPkidsForVerification.some((p) => equalBytes(p, ourCi))) return ES9_STATUS.noDpAuthForCi;
  return undefined;
}

/** eUICC certificate → EUM → one of `cis` (optionally the one the session chose); throws a `Refusal`. */
export function checkCardChain(cis: readonly ParsedCertificate[], euiccDer: Uint8Array, eumDer: Uint8Array, now: number, ciPkid?: string): { euicc: ParsedCertificate; eum: ParsedCertificate } {
  let euicc: ParsedCertificate;
  let eum: ParsedCertificate;
  try {
    eum = parseCertificate(eumDer);
  } catch {
    throw new Refusal(ES9_STATUS.eumCertificateInvalid);
  }
  try {
    euicc = parseCertificate(euiccDer);
  } catch {
    throw new Refusal(ES9_STATUS.euiccCertificateInvalid);
  }
  const aki = eum.authorityKeyIdentifier ? toHex(eum.authorityKeyIdentifier) : '';
  if (ciPkid && aki !== ciPkid) throw new Refusal(ES9_STATUS.unknownCi);
  const ci = cis.find((c) => toHex(c.subjectKeyIdentifier) === aki);
  if (!ci) throw new Refusal(ES9_STATUS.unknownCi);
  const eumError = checkIssued(eum, ci, now, 'eum');
  if (eumError) throw new Refusal(eumError === 'expired' ? ES9_STATUS.eumCertificateExpired : ES9_STATUS.eumCertificateInvalid);
  const euiccError = checkIssued(euicc, eum, now, 'euicc');
  if (euiccError) throw new Refusal(euiccError === 'expired' ? ES9_STATUS.euiccCertificateExpired : ES9_STATUS.euiccCertificateInvalid);
  return { euicc, eum };
}
