import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import { journalView, redactConnectionData } from '../../src/domain/commands.js';
import { securityEventType } from '../../src/domain/security/event-types.js';
import { CertificateError, certificateHashData, verifiedCsr, x509 } from '../../src/domain/certificates/x509.js';
import { csrFor, testCa } from '../helpers/test-signer.js';

describe('certificate helpers', () => {
  it('certificateHashData matches the OCSP key identifier for EC and RSA roots, and a chain uses its issuer', async () => {
    const algs = [
      { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
    ];
    for (const alg of algs) {
      const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
      const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '000102', name: 'CN=Root', keys, signingAlgorithm: alg, notBefore: new Date(), notAfter: new Date(Date.now() + 1e9) });
      const h = certificateHashData(cert.toString('pem'));
      assert.equal(h.issuerKeyHash, Buffer.from(await cert.publicKey.getKeyIdentifier('SHA-256')).toString('hex'));
      assert.equal(h.issuerNameHash.length, 64);
      assert.equal(h.serialNumber, '102');
    }
    const ca = await testCa();
    const chain = await ca.sign({ stationId: 'CS1', certificateType: 'ChargingStationCertificate', csrPem: await csrFor('CN=CS1, O=X') });
    const leaf = certificateHashData(chain);
    assert.equal(leaf.issuerKeyHash, certificateHashData(ca.rootPem).issuerKeyHash);
    assert.throws(() => certificateHashData(chain.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----'), /issuer certificate is needed/);
    assert.throws(() => certificateHashData('garbage'), CertificateError);
  });

  it('verifiedCsr reads the subject and refuses what is not a CSR', async () => {
    const { subject } = await verifiedCsr(await csrFor('CN=CS9, O=Operator'));
    assert.deepEqual(subject, { commonName: 'CS9', organization: 'Operator' });
    await assert.rejects(verifiedCsr('nope'), /not a PEM PKCS#10/);
  });

  it('security event severities come from the table; unknown types are warnings', () => {
    assert.deepEqual(securityEventType('TamperDetectionActivated'), { severity: 'critical', critical: true, standard: true });
    assert.deepEqual(securityEventType('SettingSystemTime'), { severity: 'info', critical: true, standard: true });
    assert.deepEqual(securityEventType('toString'), { severity: 'warning', critical: false, standard: false });
  });

  it('network profile secrets never reach the journal view', () => {
    const connectionData = {
      ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://x', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0',
      vpn: { server: 's', user: 'u', password: 'p', key: 'k', type: 'IPSec' }, apn: { apn: 'a', apnPassword: 'ap', simPin: 1111, apnAuthentication: 'PAP' },
    } as const;
    const { vpn: _vpn, ...withoutVpn } = connectionData;
    const plain = { ...withoutVpn, apn: { apn: 'a', apnAuthentication: 'NONE' as const } };
    assert.deepEqual(redactConnectionData(plain), plain, 'nothing secret, nothing changed');
    const view = JSON.stringify(journalView({ kind: 'setNetworkProfile', configurationSlot: 1, connectionData }));
    for (const secret of ['"p"', '"k"', '"ap"', '1111']) assert.ok(!view.includes(secret), secret);
    assert.deepEqual(journalView({ kind: 'clearCache' }), { kind: 'clearCache' });
  });
});
