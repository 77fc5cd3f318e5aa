/**
 * The SM-DS's certificates beside the SM-DP+'s in `<data-dir>/smdp/` (`ds-auth.pem`, `ds-tls.pem`
 * and their keys), issued by the same test CI on first start and read on every later one; the
 * TLS certificate is reissued when it does not cover the SM-DS's hosts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { issue, issueSmdsPki, TEST_SMDS_OID } from '../../common/rsp/pki.js';
import { parseCertificate } from '../../common/rsp/x509.js';
import { ciKeyOf, isIp, readCertAndKey, writeCertAndKey, type LoadedSmdpPki } from '../smdp/smdp-pki.js';
import type { SmdsPki } from './smds-service.js';

export function loadOrCreateSmdsPki(smdp: LoadedSmdpPki, options: { hosts: string[]; now: number }): SmdsPki {
  const hosts = [...new Set(['localhost', ...options.hosts.filter((h) => !isIp(h))])];
  const ipAddresses = [...new Set(['127.0.0.1', ...options.hosts.filter(isIp)])];
  const dir = smdp.dir;
  if (!dir) return { ...issueSmdsPki(ciKeyOf(smdp, 'the SM-DS certificates'), { hosts, ipAddresses, now: options.now }), trustedCis: smdp.trustedCis };
  let pki: Omit<SmdsPki, 'trustedCis'>;
  if (!existsSync(join(dir, 'ds-auth.pem'))) {
    pki = issueSmdsPki(ciKeyOf(smdp, 'the SM-DS certificates'), { hosts, ipAddresses, now: options.now });
    writeCertAndKey(dir, 'ds-auth', pki.dsAuth);
    writeCertAndKey(dir, 'ds-tls', pki.dsTls);
  } else {
    pki = { dsAuth: readCertAndKey(dir, 'ds-auth'), dsTls: readCertAndKey(dir, 'ds-tls') };
    const tls = parseCertificate(pki.dsTls.certificate).x509;
    if (hosts.some((h) => tls.checkHost(h) === undefined) || ipAddresses.some((ip) => tls.checkIP(ip) === undefined)) {
      pki = { ...pki, dsTls: issue('ds-tls', ciKeyOf(smdp, 'the SM-DS TLS certificate'), { organization: 'cellgate test', commonName: hosts[0]! }, options.now, { smdpOid: TEST_SMDS_OID, dnsNames: hosts, ipAddresses }) };
      writeCertAndKey(dir, 'ds-tls', pki.dsTls);
    }
  }
  return { ...pki, trustedCis: smdp.trustedCis };
}
