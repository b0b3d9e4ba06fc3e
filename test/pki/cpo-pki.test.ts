// The CPO sub-CA end to end: pki init, simulated stations (2.0.1 and 1.6) triggered to send
// real CSRs over loopback WebSockets, chains verified against the root, weak CSRs refused,
// renewal, revocation (RevocationCheck and the CRL served over HTTP), keys encrypted at rest, import.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, webcrypto, X509Certificate as OpenSslCertificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadServerSecret } from '../../src/config/secret.js';
import { x509 } from '../../src/domain/certificates/x509.js';
import { sealer } from '../../src/domain/crypto/sealed.js';
import { PkiError } from '../../src/domain/pki/pki-service.js';
import { certificatesOf } from '../../src/sim/certificates.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { csrFor } from '../helpers/test-signer.js';
import { until } from '../helpers/until.js';

const day = 86_400_000;

describe('CPO PKI', () => {
  let p: TestPlatform;
  let sim201: SimulatedStation;
  let sim16: SimulatedStation;
  let root: x509.X509Certificate;
  let raw: RawClient;

  /** triggers a CSR and waits for its chain to be delivered and accepted */
  const renew = async (sim: SimulatedStation, kind: 'triggerMessage' | 'extendedTriggerMessage', message: string) => {
    const last = (await p.services.certificates.requests(sim.identity))[0]?.id ?? 0;
    const rec = await p.services.commands.send(sim.identity, { kind, message });
    assert.equal(rec.status, 'Accepted');
    await until(`the CertificateSigned of ${sim.identity}`, async () => {
      const r = (await p.services.certificates.requests(sim.identity))[0];
      return r !== undefined && r.id > last && r.status === 'Delivered';
    });
  };
  const chainOf = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.map((b) => new x509.X509Certificate(b));
  /** the leaf chains to the root through the sub-CA, each signature verified */
  const assertChains = async (pem: string) => {
    const chain = chainOf(pem);
    assert.equal(chain.length, 2);
    const built = await new x509.X509ChainBuilder({ certificates: [...chain, root] }).build(chain[0]!);
    assert.equal(built.length, 3);
    assert.equal(built[2]!.subject, root.subject);
    assert.ok(await chain[0]!.verify({ publicKey: chain[1]!.publicKey, signatureOnly: true }));
    assert.ok(await chain[1]!.verify({ publicKey: root.publicKey, signatureOnly: true }));
    // and once more with OpenSSL (node:crypto), an independent implementation
    const [leaf, sub, top] = [...chain, root].map((c) => new OpenSslCertificate(c.toString('pem')));
    assert.ok(leaf!.checkIssued(sub!) && leaf!.verify(sub!.publicKey) && !leaf!.ca);
    assert.ok(sub!.checkIssued(top!) && sub!.verify(top!.publicKey) && sub!.ca);
    return chain[0]!;
  };

  before(async () => {
    p = await startTestPlatform({ publicUrl: 'https://csms.example', stationCertDays: 10, certRenewDays: 30 });
    const cas = await p.services.pki.init({ algorithm: 'ec-p256', organization: 'OV2X' });
    root = new x509.X509Certificate((await p.store.db.selectFrom('pkiAuthorities').select('certificate').where('role', '=', 'root').executeTakeFirstOrThrow()).certificate);
    assert.deepEqual(cas.map((c) => [c.role, c.hasKey]), [['root', true], ['issuing', true]]);
    sim201 = new SimulatedStation({ url: p.ocppUrl, identity: 'PKI201', password: await p.addStation('PKI201'), protocol: '2.0.1', meterIntervalMs: 0 });
    sim16 = new SimulatedStation({ url: p.ocppUrl, identity: 'PKI16', password: await p.addStation('PKI16'), protocol: '1.6', meterIntervalMs: 0 });
    for (const s of [sim201, sim16]) {
      await s.connect();
      await s.boot();
    }
    raw = await RawClient.connect(`${p.ocppUrl}/RAW201`, { protocols: ['ocpp2.0.1'], user: 'RAW201', password: await p.addStation('RAW201') });
    await raw.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    raw?.close();
    await sim201?.close();
    await sim16?.close();
    await p?.stop();
  });

  it('pki init refuses a second CA', async () => {
    await assert.rejects(p.services.pki.init({ algorithm: 'ec-p384', organization: 'X' }), PkiError);
  });

  it('2.0.1: TriggerMessage → SignCertificate → CertificateSigned: a chain to the root, CN = station id, station extensions, recorded', async () => {
    await renew(sim201, 'triggerMessage', 'SignChargingStationCertificate');
    const leaf = await assertChains(certificatesOf(sim201).signed.ChargingStationCertificate!);
    assert.equal(leaf.subjectName.getField('CN')[0], 'PKI201');
    assert.equal(leaf.getExtension(x509.BasicConstraintsExtension)?.ca, false);
    assert.deepEqual([...(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.clientAuth]);
    assert.equal(leaf.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
    assert.ok(leaf.getExtension(x509.SubjectKeyIdentifierExtension) && leaf.getExtension(x509.AuthorityKeyIdentifierExtension));
    assert.match(JSON.stringify(leaf.getExtension(x509.CRLDistributionPointsExtension)?.toTextObject()), /https:\/\/csms\.example\/pki\/crl/);
    assert.ok(BigInt(`0x${leaf.serialNumber}`) >= 2n ** 64n, 'a serial of at least 64 random bits');
    const days = (leaf.notAfter.getTime() - Date.now()) / day;
    assert.ok(days > 9.9 && days <= 10, `validity from OV2X_STATION_CERT_DAYS, got ${days}`);
    const [rec] = await p.services.pki.list({ stationId: 'PKI201', limit: 10 });
    assert.deepEqual([rec?.serialNumber, rec?.certificateType, rec?.subject, rec?.pem.trim()], [leaf.serialNumber.replace(/^0+/, ''), 'ChargingStationCertificate', leaf.subject, leaf.toString('pem').trim()]);
    assert.equal(rec?.fingerprint, Buffer.from(await leaf.getThumbprint('SHA-256')).toString('hex'));
  });

  it('1.6: ExtendedTriggerMessage SignChargePointCertificate gets a chain to the root with CN = station id', async () => {
    await renew(sim16, 'extendedTriggerMessage', 'SignChargePointCertificate');
    const leaf = await assertChains(certificatesOf(sim16).signed.ChargingStationCertificate!);
    assert.equal(leaf.subjectName.getField('CN')[0], 'PKI16');
  });

  it('2.0.1 V2GCertificate: digitalSignature + keyAgreement, no extended key usage', async () => {
    await renew(sim201, 'triggerMessage', 'SignV2GCertificate');
    const leaf = await assertChains(certificatesOf(sim201).signed.V2GCertificate!);
    assert.equal(leaf.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement);
    assert.equal(leaf.getExtension(x509.ExtendedKeyUsageExtension), null);
  });

  it('bad CSRs are Rejected before signing and recorded: RSA 2048, another CN', async () => {
    const rsa = await webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
    const weak = (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=RAW201, O=OV2X', keys: rsa, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } })).toString('pem');
    const answers = [];
    for (const csr of [weak, await csrFor('CN=SOMEONE, O=OV2X')]) {
      const [, , res] = await raw.call(`s${answers.length}`, 'SignCertificate', { csr, certificateType: 'ChargingStationCertificate' });
      answers.push(res as { status: string; statusInfo?: { additionalInfo?: string } });
    }
    assert.deepEqual(answers.map((a) => a.status), ['Rejected', 'Rejected']);
    assert.match(answers[0]!.statusInfo!.additionalInfo!, /RSA 2048 bits/);
    assert.match(answers[1]!.statusInfo!.additionalInfo!, /not the station identity/);
    assert.deepEqual((await p.services.certificates.requests('RAW201')).map((r) => r.status), ['Rejected', 'Rejected']);
    assert.deepEqual(await p.services.pki.list({ stationId: 'RAW201', limit: 10 }), []);
    const events = await p.repos.securityEvents.list({ stationId: 'RAW201', limit: 10 });
    assert.equal(events.filter((e) => e.type === 'CertificateSigningRequestRejected').length, 2);
  });

  it('renewal sweep: each station asked with its version\'s trigger for each certificate type, once, and the station renews', async () => {
    const kinds = async (id: string, kind: string) => (await p.services.commands.list(id, { kind: kind as 'triggerMessage' })).length;
    const before201 = await kinds('PKI201', 'triggerMessage');
    const before16 = await kinds('PKI16', 'extendedTriggerMessage');
    const issued201 = (await p.services.pki.list({ stationId: 'PKI201', limit: 100 })).length;
    // 10-day certificates, 30-day margin: both station certificates and PKI201's V2G certificate are due
    assert.equal(await p.services.pki.renewalSweep(), 3);
    const t201 = await p.services.commands.list('PKI201', { kind: 'triggerMessage' });
    const [t16] = await p.services.commands.list('PKI16', { kind: 'extendedTriggerMessage' });
    assert.deepEqual(t201.slice(0, 2).map((t) => [t.command.message, t.status]).sort(), [['SignChargingStationCertificate', 'Accepted'], ['SignV2GCertificate', 'Accepted']]);
    assert.deepEqual([t16?.command.message, t16?.status], ['SignChargePointCertificate', 'Accepted']);
    await until('the renewed certificate', async () => (await p.services.pki.list({ stationId: 'PKI201', limit: 100 })).length > issued201);
    await p.services.certificates.settled();
    assert.equal(await p.services.pki.renewalSweep(), 0, 'not asked again within a day');
    assert.equal(await kinds('PKI201', 'triggerMessage'), before201 + 2);
    assert.equal(await kinds('PKI16', 'extendedTriggerMessage'), before16 + 1);
  });

  it('revoke: RevocationCheck answers true from then on and the CRL served at /pki/crl lists the serial', async () => {
    const [cert] = await p.services.pki.list({ stationId: 'PKI16', limit: 1 });
    const issuer = new x509.X509Certificate(cert!.pem).issuer;
    assert.equal(await p.services.pki.isRevoked({ serialNumber: cert!.serialNumber, issuer }), false);
    const r = await p.services.pki.revoke(cert!.serialNumber.toUpperCase(), 'keyCompromise');
    assert.deepEqual([r.revocationReason, r.revokedAt instanceof Date], ['keyCompromise', true]);
    assert.equal(await p.services.pki.isRevoked({ serialNumber: `00${cert!.serialNumber}`, issuer }), true);
    await assert.rejects(p.services.pki.revoke('abcdef'), /no certificate/);
    await assert.rejects(p.services.pki.revoke(cert!.serialNumber, 'because'), /reason must be one of/);
    await assert.rejects(p.services.pki.revoke('zz'), /hexadecimal/);

    const res = await fetch(`${p.httpUrl}/pki/crl`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pkix-crl');
    const crl = new x509.X509Crl(Buffer.from(await res.arrayBuffer()));
    const issuing = chainOf(certificatesOf(sim16).signed.ChargingStationCertificate!)[1]!;
    assert.ok(await crl.verify({ publicKey: issuing.publicKey }));
    assert.equal(crl.issuer, issuing.subject);
    assert.ok(crl.nextUpdate! > new Date());
    const entry = crl.findRevoked(cert!.serialNumber);
    assert.ok(entry, 'the revoked serial is listed');
    assert.equal(entry.reason, x509.X509CrlReason.keyCompromise);
    assert.equal(crl.entries.length, 1);
    const events = await p.repos.securityEvents.list({ stationId: 'PKI16', limit: 10 });
    assert.ok(events.some((e) => e.type === 'CertificateRevoked'));
  });

  it('CA keys are stored encrypted: neither PKCS#8 DER nor PEM in the database, and no API returns them', async () => {
    const rows = await p.store.db.selectFrom('pkiAuthorities').selectAll().execute();
    const vault = sealer(loadServerSecret(p.config), 'cpo-ca-keys');
    for (const row of rows) {
      const der = vault.open(row.encryptedKey!, row.role);
      assert.equal(der[0], 0x30); // a PKCS#8 SEQUENCE
      const dump = JSON.stringify(row);
      for (const form of [der.toString('base64'), der.toString('hex'), der.toString('base64url'), 'PRIVATE KEY']) assert.ok(!dump.includes(form.slice(0, 40)));
      assert.throws(() => sealer(randomBytes(32), 'cpo-ca-keys').open(row.encryptedKey!, row.role), /cannot be opened/);
      assert.throws(() => vault.open(row.encryptedKey!, row.role === 'root' ? 'issuing' : 'root'), /cannot be opened/);
    }
    assert.ok(!JSON.stringify(await p.services.pki.status()).includes('v1.'));
  });
});

describe('CPO PKI import', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  /** an operator's existing hierarchy, made with node:crypto keys */
  const hierarchy = async (subBits?: number) => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
    const rootKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=Operator Root, O=Op', keys: rootKeys, signingAlgorithm: alg, notAfter: new Date(Date.now() + 365 * day),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const sub = subBits
      ? generateKeyPairSync('rsa', { modulusLength: subBits })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const subPublic = await webcrypto.subtle.importKey('spki', sub.publicKey.export({ type: 'spki', format: 'der' }), subBits ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    const subCert = await x509.X509CertificateGenerator.create({
      subject: 'CN=Operator Sub-CA, O=Op', issuer: rootCert.subject, publicKey: subPublic, signingKey: rootKeys.privateKey, signingAlgorithm: alg,
      notAfter: new Date(Date.now() + 300 * day), extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    });
    return { chain: `${subCert.toString('pem')}\n${rootCert.toString('pem')}`, key: sub.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, rootCert };
  };

  it('refuses a key that is not the sub-CA\'s, a weak key, and a chain without its root, quoting no key', async () => {
    const a = await hierarchy();
    const b = await hierarchy();
    await assert.rejects(p.services.pki.import(a.chain, b.key), (err: Error) => err instanceof PkiError && /does not belong/.test(err.message) && !err.message.includes('PRIVATE'));
    await assert.rejects(p.services.pki.import(a.chain.split('-----END CERTIFICATE-----')[0]! + '-----END CERTIFICATE-----', a.key), /root certificate last/);
    const weak = await hierarchy(2048);
    await assert.rejects(p.services.pki.import(weak.chain, weak.key), /at least 3072/);
    await assert.rejects(p.services.pki.import(a.chain, 'not a key'), /not an unencrypted PEM private key/);
    assert.deepEqual(await p.services.pki.status(), []);
  });

  it('imports a sub-CA (root key stays offline) and signs with it: the chain ends at the operator\'s root', async () => {
    const h = await hierarchy();
    const cas = await p.services.pki.import(h.chain, h.key);
    assert.deepEqual(cas.map((c) => [c.role, c.hasKey, c.subject]), [['root', false, 'CN=Operator Root, O=Op'], ['issuing', true, 'CN=Operator Sub-CA, O=Op']]);
    await p.addStation('IMP1');
    const pem = await p.services.pki.sign({ stationId: 'IMP1', certificateType: 'ChargingStationCertificate', csrPem: await csrFor('CN=IMP1, O=Op') });
    const [leaf, sub] = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.map((b) => new x509.X509Certificate(b));
    assert.ok(await leaf!.verify({ publicKey: sub!.publicKey, signatureOnly: true }));
    assert.ok(await sub!.verify({ publicKey: h.rootCert.publicKey, signatureOnly: true }));
    assert.ok(leaf!.notAfter <= sub!.notAfter, 'never valid beyond the sub-CA');
    const stored = (await p.store.db.selectFrom('pkiAuthorities').select('encryptedKey').where('role', '=', 'issuing').executeTakeFirstOrThrow()).encryptedKey!;
    assert.ok(!stored.includes(h.key.split('\n')[1]!.slice(0, 40)));
  });
});
