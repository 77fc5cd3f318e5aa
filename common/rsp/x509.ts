/**
 * X.509 certificates of the RSP PKI (SGP.22 §4.5.2): built with our own DER (RFC 5280) and signed
 * with node:crypto; read back with node's `X509Certificate` for the public key and signature
 * check, plus the few extensions SGP.22 relies on (key identifiers, the role policy, the SM-DP+
 * OID in subjectAltName, the EID in the subject's serialNumber).
 *
 * Why our own DER and not a certificate library: the profiles are fixed and small (one curve, one
 * signature algorithm, eight extensions), the project already has a strict BER-TLV codec, and
 * node:crypto verifies; a library (and its reflection / dependency-injection runtime) would add
 * more code than this file.
 */
import { createHash, createSign, X509Certificate, type KeyObject } from 'node:crypto';
import { BerTlvError } from '../ber-tlv.js';
import { concat, decodeOid, encodeOid, rawChild, rawChildren, readOnly, wrap, type RawTlv } from './der.js';

/** Certificate roles of SGP.22 (id-rspRole, 2.23.146.1.2.1.x). */
export const RSP_ROLE_OIDS = {
  ci: '2.23.146.1.2.1.0',
  euicc: '2.23.146.1.2.1.1',
  eum: '2.23.146.1.2.1.2',
  'dp-tls': '2.23.146.1.2.1.3',
  'dp-auth': '2.23.146.1.2.1.4',
  'dp-pb': '2.23.146.1.2.1.5',
  'ds-tls': '2.23.146.1.2.1.6',
  'ds-auth': '2.23.146.1.2.1.7',
} as const;
export type RspRole = keyof typeof RSP_ROLE_OIDS;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Distinguished name attributes, in the order they are written. */
export interface Name {
  country?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName?: string;
  serialNumber?: string;
}

const u8 = (bytes: Uint8Array | number[]): Uint8Array => (bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
const oid = (dotted: string): Uint8Array => wrap(0x06, encodeOid(dotted));
const utf8 = (s: string): Uint8Array => wrap(0x0c, new TextEncoder().encode(s));
const printable = (s: string): Uint8Array => wrap(0x13, new TextEncoder().encode(s));
const seq = (...parts: Uint8Array[]): Uint8Array => wrap(0x30, ...parts);
const octets = (b: Uint8Array): Uint8Array => wrap(0x04, b);
const bool = (v: boolean): Uint8Array => u8([0x01, 0x01, v ? 0xff : 0x00]);

function integer(value: Uint8Array): Uint8Array {
  let v = value;
  while (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) === 0) v = v.subarray(1);
  return wrap(0x02, (v[0]! & 0x80) !== 0 ? concat(u8([0]), v) : v);
}

function bitString(bits: number[], total: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(total / 8));
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  // DER: named bit lists drop trailing zero bits (X.690 §11.2.2).
  let last = -1;
  for (const b of bits) last = Math.max(last, b);
  const used = Math.ceil((last + 1) / 8);
  const unused = used * 8 - (last + 1);
  return wrap(0x03, u8([unused]), bytes.subarray(0, used));
}

export function encodeName(name: Name): Uint8Array {
  const rdn = (type: string, value: Uint8Array): Uint8Array => wrap(0x31, seq(oid(type), value));
  const parts: Uint8Array[] = [];
  if (name.country) parts.push(rdn(OID.country, printable(name.country)));
  if (name.organization) parts.push(rdn(OID.organization, utf8(name.organization)));
  if (name.organizationalUnit) parts.push(rdn(OID.organizationalUnit, utf8(name.organizationalUnit)));
  if (name.commonName) parts.push(rdn(OID.commonName, utf8(name.commonName)));
  if (name.serialNumber) parts.push(rdn(OID.serialNumber, printable(name.serialNumber)));
  return seq(...parts);
}

function time(ms: number): Uint8Array {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const year = d.getUTCFullYear();
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return year < 2050 ? wrap(0x17, new TextEncoder().encode(`${p(year % 100)}${rest}`)) : wrap(0x18, new TextEncoder().encode(`${p(year, 4)}${rest}`));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value (without unused-bits byte). */
export function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = readOnly(u8(publicKey.export({ type: 'spki', format: 'der' })), 0x30);
  const bits = rawChildren(spki.value)[1]!;
  return u8(createHash('sha1').update(bits.value.subarray(1)).digest());
}

const extension = (id: string, critical: boolean, value: Uint8Array): Uint8Array =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

export interface CertificateRequest {
  role: RspRole;
  subject: Name;
  publicKey: KeyObject;
  /** The issuer's certificate (omitted: self-signed, the CI). */
  issuer?: { certificate: Uint8Array; privateKey: KeyObject };
  /** Private key of a self-signed certificate. */
  selfKey?: KeyObject;
  serial: Uint8Array;
  notBefore: number;
  notAfter: number;
  /** SM-DP+ / SM-DS OID (subjectAltName registeredID) for dp-auth, dp-pb, dp-tls, ds-auth, ds-tls. */
  smdpOid?: string;
  /** TLS certificate host names and IP addresses (subjectAltName). */
  dnsNames?: string[];
  ipAddresses?: string[];
}

function ipBytes(ip: string): Uint8Array {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return u8(ip.split('.').map(Number));
  throw new BerTlvError('bad-value', `only IPv4 subjectAltName addresses are supported: ${ip}`);
}

/** Builds and signs one certificate of the profile its role needs (SGP.22 §4.5.2.1). */
export function createCertificate(req: CertificateRequest): Uint8Array {
  const issuerCert = req.issuer ? parseCertificate(req.issuer.certificate) : undefined;
  const signingKey = req.issuer?.privateKey ?? req.selfKey;
  if (!signingKey) throw new Error('a self-signed certificate needs selfKey');
  const ski = keyIdentifier(req.publicKey);
  const ca = req.role === 'ci' || req.role === 'eum';
  const exts: Uint8Array[] = [];
  if (issuerCert) exts.push(extension(OID.authorityKeyIdentifier, false, seq(wrap(0x80, issuerCert.subjectKeyIdentifier))));
  exts.push(extension(OID.subjectKeyIdentifier, false, octets(ski)));
  // keyUsage: CI and EUM sign certificates (keyCertSign 5, cRLSign 6 for the CI); the rest sign data.
  exts.push(extension(OID.keyUsage, true, req.role === 'ci' ? bitString([5, 6], 7) : ca ? bitString([5], 6) : bitString([0], 1)));
  exts.push(extension(OID.certificatePolicies, true, seq(seq(oid(RSP_ROLE_OIDS[req.role])))));
  if (ca) exts.push(extension(OID.basicConstraints, true, seq(bool(true), ...(req.role === 'eum' ? [integer(u8([0]))] : []))));
  const san: Uint8Array[] = [];
  for (const dns of req.dnsNames ?? []) san.push(wrap(0x82, new TextEncoder().encode(dns)));
  for (const ip of req.ipAddresses ?? []) san.push(wrap(0x87, ipBytes(ip)));
  if (req.smdpOid) san.push(wrap(0x88, encodeOid(req.smdpOid)));
  if (san.length > 0) exts.push(extension(OID.subjectAltName, false, seq(...san)));
  if (req.role === 'dp-tls' || req.role === 'ds-tls') exts.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))));

  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    wrap(0xa0, integer(u8([2]))),
    integer(req.serial),
    algorithm,
    issuerCert ? issuerCert.subjectDer : encodeName(req.subject),
    seq(time(req.notBefore), time(req.notAfter)),
    encodeName(req.subject),
    u8(req.publicKey.export({ type: 'spki', format: 'der' })),
    wrap(0xa3, seq(...exts)),
  );
  const signature = u8(createSign('sha256').update(tbs).sign(signingKey));
  return seq(tbs, algorithm, wrap(0x03, u8([0]), signature));
}

/** What the RSP needs from a certificate. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
  readonly subjectKeyIdentifier: Uint8Array;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly subjectSerialNumber: string | undefined;
  readonly policies: string[];
  /** registeredID of subjectAltName: the SM-DP+ OID of DPauth / DPpb certificates. */
  readonly registeredId: string | undefined;
  readonly notBefore: number;
  readonly notAfter: number;
}

function parseTime(t: RawTlv): number {
  const s = new TextDecoder().decode(t.value);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new BerTlvError('bad-value', `bad certificate time ${s}`);
  const year = t.tag === 0x17 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Certificates parsed lately, by their DER (base64). A download parses the same few certificates
 * again and again — the SM-DP+'s on every card, the EUM and CI of every card at the SM-DP+, a
 * card's own certificate at each ES9+ step — and node's X509Certificate is most of the cost.
 * [choice] 512 entries, oldest evicted first.
 */
const parsed = new Map<string, ParsedCertificate>();
const PARSED_MAX = 512;

/** Parses a DER certificate; anything that is not an X.509 v3 certificate is a `BerTlvError`. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const hit = parsed.get(key);
  if (hit) return hit;
  const fresh = parseUncached(Uint8Array.from(der));
  if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, fresh);
  return fresh;
}

function parseUncached(der: Uint8Array): ParsedCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (e) {
    throw new BerTlvError('bad-value', `not an X.509 certificate: ${(e as Error).message}`);
  }
  const cert = readOnly(der, 0x30);
  const tbs = rawChildren(cert.value)[0]!;
  const fields = rawChildren(tbs.value);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[offset + 2]!;
  const validity = rawChildren(fields[offset + 3]!.value);
  const subject = fields[offset + 4]!;
  let ski: Uint8Array | undefined;
  let aki: Uint8Array | undefined;
  let registeredId: string | undefined;
  const policies: string[] = [];
  const extsWrapper = fields.find((f) => f.tag === 0xa3);
  for (const ext of extsWrapper ? rawChildren(rawChildren(extsWrapper.value)[0]!.value) : []) {
    const parts = rawChildren(ext.value);
    const id = decodeOid(parts[0]!.value);
    const value = parts[parts.length - 1]!.value;
    if (id === OID.subjectKeyIdentifier) ski = readOnly(value, 0x04).value;
    if (id === OID.authorityKeyIdentifier) aki = rawChild(readOnly(value, 0x30), 0x80)?.value;
    if (id === OID.certificatePolicies) for (const p of rawChildren(readOnly(value, 0x30).value)) policies.push(decodeOid(rawChildren(p.value)[0]!.value));
    if (id === OID.subjectAltName) {
      const r = rawChild(readOnly(value, 0x30), 0x88);
      if (r) registeredId = decodeOid(r.value);
    }
  }
  let serialNumber: string | undefined;
  for (const rdn of rawChildren(subject.value)) {
    const atv = rawChildren(rawChildren(rdn.value)[0]!.value);
    if (decodeOid(atv[0]!.value) === OID.serialNumber) serialNumber = new TextDecoder().decode(atv[1]!.value);
  }
  return {
    der,
    x509,
    publicKey: x509.publicKey,
    subjectKeyIdentifier: ski ?? keyIdentifier(x509.publicKey),
    authorityKeyIdentifier: aki,
    subjectDer: subject.raw,
    issuerDer: issuer.raw,
    subjectSerialNumber: serialNumber,
    policies,
    registeredId,
    notBefore: parseTime(validity[0]!),
    notAfter: parseTime(validity[1]!),
  };
}

/** Why a certificate chain was refused. */
export type ChainError = 'unknown-issuer' | 'bad-signature' | 'expired' | 'wrong-role';

/**
 * Checks `cert` was issued by `issuer` (names, key identifiers, signature), is valid at `now`,
 * and carries the `role` policy. Returns undefined when it is good.
 */
export function checkIssued(cert: ParsedCertificate, issuer: ParsedCertificate, now: number, role?: RspRole): ChainError | undefined {
  if (!Buffer.from(cert.issuerDer).equals(Buffer.from(issuer.subjectDer))) return 'unknown-issuer';
  if (cert.authorityKeyIdentifier && !Buffer.from(cert.authorityKeyIdentifier).equals(Buffer.from(issuer.subjectKeyIdentifier))) return 'unknown-issuer';
  if (!cert.x509.verify(issuer.publicKey)) return 'bad-signature';
  if (now < cert.notBefore || now > cert.notAfter) return 'expired';
  if (role && !cert.policies.includes(RSP_ROLE_OIDS[role])) return 'wrong-role';
  return undefined;
}

// ---- PEM ----

/** `-----BEGIN <label>-----` armour of DER bytes. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Every PEM block with `label` in `text`, as DER. */
export function fromPem(text: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => u8(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}
