/**
 * ES9+ over HTTPS (SGP.22 §6): the function paths, the headers, the JSON body envelope and the
 * status codes an SM-DP+ answers with. Shared by the platform's SM-DP+ and the agent's client.
 */

export const ES9_PATHS = {
  initiateAuthentication: '/gsma/rsp2/es9plus/initiateAuthentication',
  authenticateClient: '/gsma/rsp2/es9plus/authenticateClient',
  getBoundProfilePackage: '/gsma/rsp2/es9plus/getBoundProfilePackage',
  handleNotification: '/gsma/rsp2/es9plus/handleNotification',
  cancelSession: '/gsma/rsp2/es9plus/cancelSession',
} as const;
export type Es9Function = keyof typeof ES9_PATHS;

/**
 * ES11 (LPA ↔ SM-DS, SGP.22 §5.8, §6.5.2.6–§6.5.2.7): the common mutual authentication, answered
 * with the event entries registered for the authenticated EID. lpac's `profile discovery` sends
 * these two functions on the ES9+ paths (`/gsma/rsp2/es9plus/...`, lpac euicc/es9p.c); the
 * platform's SM-DS answers both.
 */
export const ES11_PATHS = {
  initiateAuthentication: '/gsma/rsp2/es11/initiateAuthentication',
  authenticateClient: '/gsma/rsp2/es11/authenticateClient',
} as const;
export type Es11Function = keyof typeof ES11_PATHS;

/** One event of ES11.AuthenticateClient's `eventEntries` (SGP.22 §5.8.2, EventEntries). */
export interface EventEntry {
  eventId: string;
  rspServerAddress: string;
}

/** SGP.22 §6.2: every request and response carries the RSP protocol version. */
export const ADMIN_PROTOCOL = 'gsma/rsp/v2.2.0';
export const ES9_HEADERS = { 'content-type': 'application/json;charset=UTF-8', 'x-admin-protocol': ADMIN_PROTOCOL, 'user-agent': 'gsma-rsp-lpad' } as const;

/** statusCodeData of a failed function (SGP.22 §6.5.1.4). */
export interface Es9StatusCode {
  subjectCode: string;
  reasonCode: string;
  subjectIdentifier?: string;
  message?: string;
}

/** The ES9+ status codes the platform's SM-DP+ answers with (SGP.22 §5.6.1–§5.6.5 tables). */
export const ES9_STATUS = {
  invalidRequest: { subjectCode: '1.2.1', reasonCode: '2.1', message: 'Invalid or malformed request' },
  euiccSignatureInvalid: { subjectCode: '8.1', reasonCode: '6.1', message: 'eUICC signature is invalid or serverChallenge is invalid' },
  insufficientMemory: { subjectCode: '8.1', reasonCode: '4.8', message: 'eUICC does not have sufficient space for this Profile' },
  eidMismatch: { subjectCode: '8.1.1', reasonCode: '3.8', message: "EID doesn't match the expected value" },
  eumCertificateInvalid: { subjectCode: '8.1.2', reasonCode: '6.1', message: 'EUM Certificate is invalid' },
  eumCertificateExpired: { subjectCode: '8.1.2', reasonCode: '6.3', message: 'EUM Certificate has expired' },
  euiccCertificateInvalid: { subjectCode: '8.1.3', reasonCode: '6.1', message: 'eUICC Certificate is invalid' },
  euiccCertificateExpired: { subjectCode: '8.1.3', reasonCode: '6.3', message: 'eUICC Certificate has expired' },
  matchingIdRefused: { subjectCode: '8.2.6', reasonCode: '3.8', message: 'MatchingID (AC_Token or EventID) is refused' },
  confirmationCodeMissing: { subjectCode: '8.2.7', reasonCode: '2.2', message: 'Confirmation Code is missing' },
  confirmationCodeRefused: { subjectCode: '8.2.7', reasonCode: '3.8', message: 'Confirmation Code is refused' },
  confirmationCodeRetriesExceeded: { subjectCode: '8.2.7', reasonCode: '6.4', message: 'The maximum number of retries for the Confirmation Code has been exceeded' },
  smdpOidInvalid: { subjectCode: '8.8', reasonCode: '3.1', message: 'The provided SM-DP+ OID is invalid' },
  invalidSmdpAddress: { subjectCode: '8.8.1', reasonCode: '3.8', message: 'Invalid SM-DP+ Address' },
  /** ES11.InitiateAuthentication (§5.8.1): the SM-DS address differs from the server's. */
  invalidSmdsAddress: { subjectCode: '8.9.1', reasonCode: '3.8', message: 'Invalid SM-DS Address' },
  unsupportedCiPkid: { subjectCode: '8.8.2', reasonCode: '3.1', message: 'None of the proposed Public Key Identifiers is supported by the SM-DP+' },
  unsupportedSvn: { subjectCode: '8.8.3', reasonCode: '3.1', message: 'The Specification Version Number indicated by the eUICC is not supported by the SM-DP+' },
  noDpAuthForCi: { subjectCode: '8.8.4', reasonCode: '3.7', message: 'The SM-DP+ has no CERT.DPauth.ECDSA signed by one of the CI Public Key supported by the eUICC' },
  /** ES11.InitiateAuthentication (§5.8.1): no CERT.DS.AUTH for the card's CIs. */
  noDsAuthForCi: { subjectCode: '8.8.4', reasonCode: '3.7', message: 'The SM-DS has no CERT.DSauth.ECDSA signed by one of the CI Public Key supported by the eUICC' },
  downloadOrderExpired: { subjectCode: '8.8.5', reasonCode: '4.1', message: 'The Download order has expired' },
  downloadRetriesExceeded: { subjectCode: '8.8.5', reasonCode: '6.4', message: 'The maximum number of retries for the Profile download order has been exceeded' },
  unknownTransaction: { subjectCode: '8.10.1', reasonCode: '3.9', message: 'The RSP session identified by the TransactionID is unknown' },
  unknownCi: { subjectCode: '8.11.1', reasonCode: '3.9', message: 'Unknown CI Public Key. The CI used by the EUM Certificate is not a trusted root.' },
} as const satisfies Record<string, Es9StatusCode>;
export type Es9StatusName = keyof typeof ES9_STATUS;

export interface Es9Header {
  functionExecutionStatus: { status: 'Executed-Success' | 'Executed-WithWarning' | 'Failed' | 'Expired'; statusCodeData?: Es9StatusCode };
}

/** The name of a status code, when it is one of ours. */
export function es9StatusName(code: Es9StatusCode): Es9StatusName | undefined {
  return (Object.keys(ES9_STATUS) as Es9StatusName[]).find((k) => ES9_STATUS[k].subjectCode === code.subjectCode && ES9_STATUS[k].reasonCode === code.reasonCode);
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Strict base64 (whitespace tolerated, as lpac trims it too); undefined when it is not base64. */
export function fromB64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}
