import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuplicateError, PkiRepo, type IssuedCertificateInput } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const day = 86_400_000;
const cert = (serialNumber: string, stationId: string, notAfterDays: number, certificateType = 'ChargingStationCertificate'): IssuedCertificateInput => ({
  serialNumber, stationId, certificateType, subject: `CN=${stationId}`, issuer: 'CN=Sub', notBefore: new Date(Date.now() - day),
  notAfter: new Date(Date.now() + notAfterDays * day), fingerprint: serialNumber.repeat(4), pem: `PEM ${serialNumber}`,
});

for (const backend of backends) {
  describe(`PkiRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: PkiRepo;
    before(async () => {
      s = await backend.open();
      repo = new PkiRepo(s.store.db);
    });
    after(() => s?.cleanup());

    it('stores a root and issuing CA once; a second creation is a DuplicateError', async () => {
      await repo.createAuthorities([{ role: 'root', certificate: 'R', encryptedKey: null }, { role: 'issuing', certificate: 'I', encryptedKey: 'v1.x.y.z' }]);
      await assert.rejects(repo.createAuthorities([{ role: 'issuing', certificate: 'I2', encryptedKey: null }]), DuplicateError);
      assert.deepEqual((await repo.authorities()).map((a) => [a.role, a.certificate, a.encryptedKey]), [['root', 'R', null], ['issuing', 'I', 'v1.x.y.z']]);
    });

    it('records issued certificates, lists them per station and revokes once', async () => {
      await repo.addIssued(cert('a1', 'CS1', 10));
      await repo.addIssued(cert('a2', 'CS1', 300));
      await repo.addIssued(cert('b1', 'CS2', 5));
      assert.deepEqual((await repo.listIssued({ stationId: 'CS1', limit: 10 })).map((c) => c.serialNumber).sort(), ['a1', 'a2']);
      const r = await repo.revoke('b1', 'keyCompromise');
      assert.equal(r?.revocationReason, 'keyCompromise');
      assert.ok(r?.revokedAt instanceof Date);
      assert.equal((await repo.revoke('b1', 'superseded'))?.revocationReason, 'keyCompromise');
      assert.equal(await repo.revoke('nope', 'unspecified'), undefined);
      assert.deepEqual((await repo.listRevoked()).map((x) => x.serialNumber), ['b1']);
    });

    it('renewal: the newest unrevoked certificate per station decides, and a station asked recently is not due', async () => {
      await repo.addIssued(cert('c1', 'CS3', 3));
      const soon = new Date(Date.now() + 30 * day);
      const yesterday = new Date(Date.now() - day);
      // CS1's newest expires in 300 days; CS2's only one is revoked
      assert.deepEqual((await repo.dueForRenewal('ChargingStationCertificate', soon, yesterday)).map((c) => c.serialNumber), ['c1']);
      await repo.markRenewalRequested('c1');
      assert.deepEqual(await repo.dueForRenewal('ChargingStationCertificate', soon, yesterday), []);
      assert.deepEqual((await repo.dueForRenewal('ChargingStationCertificate', soon, new Date(Date.now() + 1000))).map((c) => c.serialNumber), ['c1']);
      assert.deepEqual(await repo.dueForRenewal('V2GCertificate', soon, yesterday), []);
    });
  });
}
