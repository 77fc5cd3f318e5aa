/**
 * The SM-DP+'s test PKI in the platform's data dir (`<data-dir>/smdp/`): generated on first start
 * (CI, EUM, DPauth, DPpb, DPtls), read on every later one. `ci.pem` is the certificate a card or a
 * public LPA trusts; `eum.pem` + `eum.key.pem` let a simulated eUICC mint a certificate the
 * platform accepts (`cellgate sim --euicc-pki <data-dir>/smdp`). Extra trusted CIs (e.g. the GSMA
 * test CI of SGP.26) may be dropped in `trusted-ci/*.pem`.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { certAndKeyFromPem, certAndKeyToPem, generateTestPki, issue, TEST_SMDP_OID, type CertAndKey, type SmdpPki } from '../../common/rsp/pki.js';
import { fromPem, parseCertificate } from '../../common/rsp/x509.js';

const FILES = { ci: 'ci', eum: 'eum', dpAuth: 'dp-auth', dpPb: 'dp-pb', dpTls: 'dp-tls' } as const;

export interface LoadedSmdpPki extends Omit<SmdpPki, 'ci'> {
  /**
   * The CI certificate, with its private key when the platform holds it (its own generated test
   * PKI). Absent key: external certificates (e.g. SGP.26) whose CI key stays with its owner.
   */
  readonly ci: { readonly certificate: Uint8Array; readonly privateKey?: KeyObject };
  /** CIs whose EUMs the SM-DP+ accepts: its own first, then `trusted-ci/*.pem`. */
  readonly trustedCis: Uint8Array[];
  /** Where the files are (undefined: in memory). */
  readonly dir: string | undefined;
}

export function writeCertAndKey(dir: string, name: string, c: CertAndKey): void {
  const pem = certAndKeyToPem(c);
  writeFileSync(join(dir, `${name}.pem`), pem.certificate);
  writeFileSync(join(dir, `${name}.key.pem`), pem.privateKey, { mode: 0o600 });
  chmodSync(join(dir, `${name}.key.pem`), 0o600);
}

export function readCertAndKey(dir: string, name: string): CertAndKey {
  return certAndKeyFromPem(readFileSync(join(dir, `${name}.pem`), 'utf8'), readFileSync(join(dir, `${name}.key.pem`), 'utf8'));
}

/** The CI with its key, or a clear error saying what needed it (external certificates hold no CI key). */
export function ciKeyOf(pki: LoadedSmdpPki, purpose: string): CertAndKey {
  const { certificate, privateKey } = pki.ci;
  if (!privateKey) throw new Error(`${purpose} needs the CI's private key, and ${pki.dir ?? 'the SM-DP+ PKI'} holds none (ci.key.pem): issue it with your own CI`);
  return { certificate, privateKey };
}

export const isIp = (h: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(h);

/**
 * Loads the PKI from `dir` (undefined: a fresh one in memory), generating it when absent. The TLS
 * certificate is reissued by the same CI when it does not cover every host (the address changed).
 */
export function loadOrCreateSmdpPki(dir: string | undefined, options: { hosts: string[]; now: number }): LoadedSmdpPki {
  const hosts = [...new Set(['localhost', ...options.hosts.filter((h) => !isIp(h))])];
  const ips = [...new Set(['127.0.0.1', ...options.hosts.filter(isIp)])];
  if (!dir) {
    const pki = generateTestPki({ hosts, ipAddresses: ips, now: options.now });
    return { ...pki, trustedCis: [pki.ci.certificate], dir: undefined };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let pki: Omit<LoadedSmdpPki, 'trustedCis' | 'dir'>;
  if (!existsSync(join(dir, `${FILES.ci}.pem`))) {
    const generated = generateTestPki({ hosts, ipAddresses: ips, now: options.now });
    for (const [k, name] of Object.entries(FILES)) writeCertAndKey(dir, name, generated[k as keyof SmdpPki]);
    pki = generated;
  } else {
    // External certificates (SGP.26): the CI's key may be absent; everything else needs its key.
    const ci = existsSync(join(dir, `${FILES.ci}.key.pem`)) ? readCertAndKey(dir, FILES.ci) : { certificate: fromPem(readFileSync(join(dir, `${FILES.ci}.pem`), 'utf8'))[0]! };
    pki = { ci, eum: readCertAndKey(dir, FILES.eum), dpAuth: readCertAndKey(dir, FILES.dpAuth), dpPb: readCertAndKey(dir, FILES.dpPb), dpTls: readCertAndKey(dir, FILES.dpTls) };
    const tls = parseCertificate(pki.dpTls.certificate).x509;
    if (hosts.some((h) => tls.checkHost(h) === undefined) || ips.some((ip) => tls.checkIP(ip) === undefined)) {
      const smdpOid = parseCertificate(pki.dpAuth.certificate).registeredId ?? TEST_SMDP_OID;
      const ci = ciKeyOf({ ...pki, trustedCis: [], dir }, `a TLS certificate for ${[...hosts, ...ips].join(', ')}`);
      pki = { ...pki, dpTls: issue('dp-tls', ci, { organization: 'cellgate test', commonName: hosts[0]! }, options.now, { smdpOid, dnsNames: hosts, ipAddresses: ips }) };
      writeCertAndKey(dir, FILES.dpTls, pki.dpTls);
    }
  }
  const extraDir = join(dir, 'trusted-ci');
  const extra = existsSync(extraDir) ? readdirSync(extraDir).filter((f) => f.endsWith('.pem')).flatMap((f) => fromPem(readFileSync(join(extraDir, f), 'utf8'))) : [];
  return { ...pki, trustedCis: [pki.ci.certificate, ...extra], dir };
}
