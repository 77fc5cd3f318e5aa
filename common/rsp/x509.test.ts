import { describe, expect, it } from 'vitest';
import { toHex } from '../ber-tlv.js';
import { decodeOid, encodeOid } from './der.js';
import { certAndKeyFromPem, certAndKeyToPem, generateTestPki, issueEuiccCertificate, TEST_SMDP_OID } from './pki.js';
import { checkIssued, fromPem, parseCertificate, RSP_ROLE_OIDS, toPem } from './x509.js';

const NOW = Date.UTC(2025, 0, 15);

describe('RSP test PKI', () => {
  const pki = generateTestPki({ hosts: ['localhost', 'smdp.example'], ipAddresses: ['127.0.0.1'], now: NOW });
  const ci = parseCertificate(pki.ci.certificate);

  it('chains every certificate to the CI with its SGP.22 role', () => {
    expect(checkIssued(ci, ci, NOW, 'ci')).toBeUndefined();
    for (const [cert, role] of [
      [pki.eum, 'eum'],
      [pki.dpAuth, 'dp-auth'],
      [pki.dpPb, 'dp-pb'],
      [pki.dpTls, 'dp-tls'],
    ] as const) {
      const parsed = parseCertificate(cert.certificate);
      expect(checkIssued(parsed, ci, NOW, role)).toBeUndefined();
      expect(toHex(parsed.authorityKeyIdentifier!)).toBe(toHex(ci.subjectKeyIdentifier));
      expect(parsed.policies).toEqual([RSP_ROLE_OIDS[role]]);
    }
    expect(parseCertificate(pki.dpAuth.certificate).registeredId).toBe(TEST_SMDP_OID);
    expect(parseCertificate(pki.dpTls.certificate).x509.checkHost('smdp.example')).toBe('smdp.example');
    expect(parseCertificate(pki.dpTls.certificate).x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('issues an eUICC certificate carrying the EID, chained CI → EUM → eUICC', () => {
    const eid = '89049032123451234512345678901235';
    const euicc = issueEuiccCertificate(pki.eum, eid, NOW);
    const parsed = parseCertificate(euicc.certificate);
    expect(parsed.subjectSerialNumber).toBe(eid);
    expect(checkIssued(parsed, parseCertificate(pki.eum.certificate), NOW, 'euicc')).toBeUndefined();
    expect(checkIssued(parsed, ci, NOW)).toBe('unknown-issuer');
    expect(checkIssued(parsed, parseCertificate(pki.eum.certificate), NOW + 40 * 365 * 86400_000)).toBe('expired');
  });

  it('refuses a certificate signed by another CI with the same name', () => {
    const other = generateTestPki({ hosts: ['localhost'], now: NOW });
    const foreign = parseCertificate(other.dpAuth.certificate);
    expect(checkIssued(foreign, ci, NOW)).not.toBeUndefined();
  });

  it('round-trips through PEM', () => {
    const pem = certAndKeyToPem(pki.dpPb);
    const back = certAndKeyFromPem(pem.certificate, pem.privateKey);
    expect(toHex(back.certificate)).toBe(toHex(pki.dpPb.certificate));
    expect(fromPem(toPem('CERTIFICATE', pki.ci.certificate) + toPem('CERTIFICATE', pki.eum.certificate))).toHaveLength(2);
  });

  it('encodes object identifiers (X.690 §8.19)', () => {
    expect(toHex(encodeOid('1.2.840.10045.4.3.2'))).toBe('2A8648CE3D040302');
    expect(decodeOid(encodeOid('2.999.10'))).toBe('2.999.10');
    expect(decodeOid(encodeOid(RSP_ROLE_OIDS['dp-pb']))).toBe('2.23.146.1.2.1.5');
  });
});
