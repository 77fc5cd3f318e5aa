/**
 * Who a simulated eUICC is and whom it trusts (SGP.22 §4.5.2): its certificate CERT.EUICC.ECDSA
 * and private key, the EUM certificate that issued it, and the CI certificates it accepts for
 * verifying SM-DP+ certificates. Loaded from PEM files (so a card can carry the GSMA test
 * certificates of SGP.26), minted from an EUM certificate and key (the platform's test PKI), or —
 * with nothing given — minted from a test PKI generated once per process.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { certAndKeyFromPem, certAndKeyToPem, generateTestPki, issueEuiccCertificate, type CertAndKey } from '../../common/rsp/pki.js';
import { fromPem, parseCertificate, toPem, type ParsedCertificate } from '../../common/rsp/x509.js';

export interface EuiccIdentity {
  /** CERT.EUICC.ECDSA (DER); its subject serialNumber is the EID. */
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** CERT.EUM.ECDSA (DER). */
  eumCertificate: Uint8Array;
  /** CI certificates (DER) the card trusts; the one that issued the EUM comes first. */
  trustedCis: Uint8Array[];
}

/** What the card is given: a full identity, or an EUM to mint one from. */
export type EuiccIdentitySource = { identity: EuiccIdentity } | { eum: CertAndKey; trustedCis: Uint8Array[] };

/** Identity as the card uses it, parsed once. */
export interface ResolvedIdentity {
  readonly identity: EuiccIdentity;
  readonly certificate: ParsedCertificate;
  readonly eum: ParsedCertificate;
  readonly cis: readonly ParsedCertificate[];
  /** SKIs of the CIs usable for verification (all trusted) and for signing (those issuing our EUM). */
  readonly verificationPkids: Uint8Array[];
  readonly signingPkids: Uint8Array[];
}

export class EuiccIdentityError extends Error {
  override readonly name = 'EuiccIdentityError';
}

export function resolveIdentity(identity: EuiccIdentity, eid: string): ResolvedIdentity {
  const certificate = parseCertificate(identity.certificate);
  const eum = parseCertificate(identity.eumCertificate);
  const cis = identity.trustedCis.map(parseCertificate);
  if (certificate.subjectSerialNumber !== undefined && certificate.subjectSerialNumber !== eid) {
    throw new EuiccIdentityError(`the eUICC certificate is for EID ${certificate.subjectSerialNumber}, not ${eid}`);
  }
  const signing = cis.filter((ci) => eum.authorityKeyIdentifier && Buffer.from(ci.subjectKeyIdentifier).equals(Buffer.from(eum.authorityKeyIdentifier)));
  return {
    identity,
    certificate,
    eum,
    cis,
    verificationPkids: cis.map((c) => c.subjectKeyIdentifier),
    signingPkids: (signing.length > 0 ? signing : cis.slice(0, 1)).map((c) => c.subjectKeyIdentifier),
  };
}

export function mintIdentity(eid: string, eum: CertAndKey, trustedCis: Uint8Array[], now: number): EuiccIdentity {
  const own = issueEuiccCertificate(eum, eid, now);
  return { certificate: own.certificate, privateKey: own.privateKey, eumCertificate: eum.certificate, trustedCis };
}

let processTestPki: { eum: CertAndKey; ci: Uint8Array } | undefined;

/** A CI and EUM generated on first use and shared by every card of this process that was given none. */
export function processTestEum(now: number): { eum: CertAndKey; trustedCis: Uint8Array[] } {
  if (!processTestPki) {
    const pki = generateTestPki({ hosts: ['localhost'], now, organization: 'cellgate simulator' });
    processTestPki = { eum: pki.eum, ci: pki.ci.certificate };
  }
  return { eum: processTestPki.eum, trustedCis: [processTestPki.ci] };
}

/** The identity as persisted with the card's state (PEM text; the file is mode 0600). */
export interface StoredIdentity {
  certificate: string;
  privateKey: string;
  eumCertificate: string;
  trustedCis: string[];
}

export function storeIdentity(i: EuiccIdentity): StoredIdentity {
  const own = certAndKeyToPem({ certificate: i.certificate, privateKey: i.privateKey });
  return { ...own, eumCertificate: toPem('CERTIFICATE', i.eumCertificate), trustedCis: i.trustedCis.map((c) => toPem('CERTIFICATE', c)) };
}

export function loadStoredIdentity(s: StoredIdentity): EuiccIdentity {
  const own = certAndKeyFromPem(s.certificate, s.privateKey);
  return { certificate: own.certificate, privateKey: own.privateKey, eumCertificate: fromPem(s.eumCertificate)[0]!, trustedCis: s.trustedCis.map((c) => fromPem(c)[0]!) };
}

const readPem = (path: string, label = 'CERTIFICATE'): Uint8Array[] => {
  const found = fromPem(readFileSync(path, 'utf8'), label);
  if (found.length === 0) throw new EuiccIdentityError(`${path} holds no ${label}`);
  return found;
};

/**
 * Identity files: `euicc.pem` + `euicc.key.pem` (a full identity, e.g. SGP.26 test certificates)
 * or `eum.pem` + `eum.key.pem` (mint one per EID), with `eum.pem` and the trusted CIs from
 * `ci.pem` (one or more certificates). The platform's `<data-dir>/smdp` directory has the second
 * layout, so `cellgate sim --euicc-pki <data-dir>/smdp` gives a card the platform trusts.
 */
export function identitySourceFromDir(dir: string): EuiccIdentitySource {
  const file = (name: string): string => `${dir.replace(/\/$/, '')}/${name}`;
  const trustedCis = readPem(file('ci.pem'));
  const eumCertificate = readPem(file('eum.pem'))[0]!;
  try {
    const certificate = readPem(file('euicc.pem'))[0]!;
    const privateKey = createPrivateKey(readFileSync(file('euicc.key.pem'), 'utf8'));
    return { identity: { certificate, privateKey, eumCertificate, trustedCis } };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof EuiccIdentityError)) throw e;
  }
  const eumKey = createPrivateKey(readFileSync(file('eum.key.pem'), 'utf8'));
  return { eum: { certificate: eumCertificate, privateKey: eumKey }, trustedCis };
}
