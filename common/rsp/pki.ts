/**
 * The RSP test PKI (SGP.22 §4.5.2, modelled on the GSMA test certificates of SGP.26): one CI that
 * issues the EUM (which issues each eUICC certificate) and the SM-DP+ certificates for
 * authentication (DPauth), profile binding (DPpb) and TLS (DPtls). Generated in memory; the
 * platform and the simulator store it as PEM files.
 */
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { createCertificate, fromPem, parseCertificate, toPem, type Name } from './x509.js';
import { generateP256 } from './ecdsa.js';

export interface CertAndKey {
  /** DER. */
  readonly certificate: Uint8Array;
  readonly privateKey: KeyObject;
}

export interface SmdpPki {
  readonly ci: CertAndKey;
  readonly dpAuth: CertAndKey;
  readonly dpPb: CertAndKey;
  readonly dpTls: CertAndKey;
  /** The EUM of the test eUICCs the platform's simulators use; its key issues eUICC certificates. */
  readonly eum: CertAndKey;
}

/** The SM-DS's certificates (SGP.22 §4.5.2.1: CERT.DS.AUTH for ES11 authentication, CERT.DS.TLS), issued by the same CI. */
export interface SmdsPki {
  readonly dsAuth: CertAndKey;
  readonly dsTls: CertAndKey;
}

/** Test SM-DS OID (the subjectAltName registeredID of its certificates), beside the SM-DP+'s. */
export const TEST_SMDS_OID = '2.999.11';

/** CERT.DS.AUTH and CERT.DS.TLS for the SM-DS at `hosts` / `ipAddresses`, issued by `ci`. */
export function issueSmdsPki(ci: CertAndKey, options: TestPkiOptions): SmdsPki {
  const org = options.organization ?? 'cellgate test';
  const host = options.hosts[0] ?? 'localhost';
  const smdsOid = TEST_SMDS_OID;
  return {
    dsAuth: issue('ds-auth', ci, { organization: org, commonName: `${host} DSauth` }, options.now, { smdpOid: smdsOid }),
    dsTls: issue('ds-tls', ci, { organization: org, commonName: host }, options.now, { smdpOid: smdsOid, dnsNames: options.hosts, ipAddresses: options.ipAddresses ?? [] }),
  };
}

/** Test SM-DP+ OID: under the ITU-T example arc 2.999 (a real SM-DP+ uses its organisation's arc). */
export const TEST_SMDP_OID = '2.999.10';
const YEAR = 365 * 24 * 3600 * 1000;

const serial = (): Uint8Array => {
  const s = randomBytes(16);
  s[0]! &= 0x7f;
  return new Uint8Array(s);
};

export interface TestPkiOptions {
  /** SM-DP+ host names for the TLS certificate (the address in activation codes, without port). */
  hosts: string[];
  /** Also valid for these IPv4 addresses. */
  ipAddresses?: string[];
  smdpOid?: string;
  /** Validity starts here (the platform clock). */
  now: number;
  organization?: string;
}

export function issue(role: 'eum' | 'dp-auth' | 'dp-pb' | 'dp-tls' | 'ds-auth' | 'ds-tls', issuer: CertAndKey, subject: Name, now: number, extra: { smdpOid?: string; dnsNames?: string[]; ipAddresses?: string[] } = {}): CertAndKey {
  const pair = generateP256();
  const certificate = createCertificate({ role, subject, publicKey: pair.publicKey, issuer, serial: serial(), notBefore: now - 3600_000, notAfter: now + 10 * YEAR, ...extra });
  return { certificate, privateKey: pair.privateKey };
}

/** A CI, an EUM and the three SM-DP+ certificates, each with a fresh P-256 key. */
export function generateTestPki(options: TestPkiOptions): SmdpPki {
  const org = options.organization ?? 'cellgate test';
  const now = options.now;
  const ciPair = generateP256();
  const ciCert = createCertificate({
    role: 'ci',
    subject: { organization: org, organizationalUnit: 'TESTCERT', commonName: 'cellgate test CI' },
    publicKey: ciPair.publicKey,
    selfKey: ciPair.privateKey,
    serial: serial(),
    notBefore: now - 3600_000,
    notAfter: now + 30 * YEAR,
  });
  const ci: CertAndKey = { certificate: ciCert, privateKey: ciPair.privateKey };
  const smdpOid = options.smdpOid ?? TEST_SMDP_OID;
  const host = options.hosts[0] ?? 'localhost';
  return {
    ci,
    eum: issue('eum', ci, { country: 'XX', organization: `${org} EUM`, commonName: 'cellgate test EUM' }, now),
    dpAuth: issue('dp-auth', ci, { organization: org, commonName: `${host} DPauth` }, now, { smdpOid }),
    dpPb: issue('dp-pb', ci, { organization: org, commonName: `${host} DPpb` }, now, { smdpOid }),
    dpTls: issue('dp-tls', ci, { organization: org, commonName: host }, now, { smdpOid, dnsNames: options.hosts, ipAddresses: options.ipAddresses ?? [] }),
  };
}

/**
 * CERT.EUM.ECDSA for a public key someone else holds (the platform issuing an EUM to a fleet shard,
 * which keeps the private key and signs its cards' certificates itself). DER.
 */
export function issueEumCertificateFor(ci: CertAndKey, publicKey: KeyObject, subject: Name, now: number): Uint8Array {
  return createCertificate({ role: 'eum', subject, publicKey, issuer: ci, serial: serial(), notBefore: now - 3600_000, notAfter: now + 10 * YEAR });
}

/** CERT.EUICC.ECDSA for `eid` (subject serialNumber = EID, SGP.22 §4.5.2.1.0.2), issued by the EUM. */
export function issueEuiccCertificate(eum: CertAndKey, eid: string, now: number): CertAndKey {
  const pair = generateP256();
  const certificate = createCertificate({
    role: 'euicc',
    subject: { organization: parseCertificate(eum.certificate).x509.subject.match(/O=([^\n]+)/)?.[1] ?? 'eUICC', serialNumber: eid, commonName: 'cellgate simulated eUICC' },
    publicKey: pair.publicKey,
    issuer: eum,
    serial: serial(),
    notBefore: now - 3600_000,
    notAfter: now + 30 * YEAR,
  });
  return { certificate, privateKey: pair.privateKey };
}

/** PEM text of a certificate and its key (PKCS#8), as stored in files. */
export function certAndKeyToPem(c: CertAndKey): { certificate: string; privateKey: string } {
  return { certificate: toPem('CERTIFICATE', c.certificate), privateKey: c.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Reads a certificate PEM and a key PEM back. */
export function certAndKeyFromPem(certificatePem: string, privateKeyPem: string): CertAndKey {
  const [certificate] = fromPem(certificatePem);
  if (!certificate) throw new Error('no CERTIFICATE block in the PEM text');
  return { certificate, privateKey: createPrivateKey(privateKeyPem) };
}
