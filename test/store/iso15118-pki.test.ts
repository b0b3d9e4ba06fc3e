// Iso15118PkiRepo and the hierarchy it stores, on both back ends: created once on first use,
// reloaded by a second instance (as after a restart), revocation recorded once.
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Iso15118Pki } from '../../src/domain/pki/iso15118-pki.js';
import { CrlReason } from '../../src/domain/pki/ocsp.js';
import { sealer as keySealer } from '../../src/domain/crypto/sealed.js';
import { Iso15118PkiRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';
import { certificateHashData, x509 } from '../../src/domain/certificates/x509.js';
import { sql } from 'kysely';

const sealer = keySealer(Buffer.alloc(32, 1), 'test label');
const newKey = async () => (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).publicKey;

for (const backend of backends) {
  describe(`Iso15118PkiRepo and the ISO 15118 test PKI on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: Iso15118PkiRepo;
    before(async () => {
      s = await backend.open();
      repo = new Iso15118PkiRepo(s.store.db);
    });
    after(() => s?.cleanup());

    it('creates both hierarchies once, and a second instance (a restart) finds them', async () => {
      const first = new Iso15118Pki(repo, sealer, { organization: 'ACME' });
      const [a, b] = await Promise.all([first.init(), first.init()]);
      assert.deepEqual([a || b, a && b], [true, false], 'one of two concurrent calls created it');
      const again = new Iso15118Pki(repo, sealer);
      assert.equal(await again.init(), false);
      assert.deepEqual(await again.roots(), await first.roots());
      const cas = await repo.byRoles(['v2gRoot', 'cpoSubCa1', 'cpoSubCa2', 'moRoot', 'moSubCa']);
      assert.deepEqual(cas.map((r) => r.role), ['v2gRoot', 'cpoSubCa1', 'cpoSubCa2', 'moRoot', 'moSubCa']);
      assert.deepEqual(cas.map((r) => r.issuerId), [null, cas[0]!.id, cas[1]!.id, null, cas[3]!.id]);
      assert.match(cas[2]!.subject, /CN=CPO Sub-CA 2, O=ACME ISO 15118 test PKI/);
    });

    it('records issued certificates and revokes each once', async () => {
      const pki = new Iso15118Pki(repo, sealer);
      const contract = await pki.issue('contract', 'DEOV2XC1', await newKey());
      const id = { ...certificateHashData(contract.chain), hashAlgorithm: 'sha256' as const };
      assert.deepEqual(await pki.lookup(id), { status: 'good' });
      const at = new Date('2026-10-10T10:10:10Z');
      assert.equal(await pki.revoke('contract', contract.serialNumber, CrlReason.superseded, at), true);
      assert.equal(await pki.revoke('contract', contract.serialNumber, CrlReason.keyCompromise), false, 'the first revocation stands');
      assert.equal(await pki.revoke('secc', contract.serialNumber), false, 'an SECC serial is looked up under CPO sub-CA 2');
      assert.deepEqual(await pki.lookup(id), { status: 'revoked', revokedAt: at, reason: CrlReason.superseded });
      assert.deepEqual(await pki.lookup({ ...id, serialNumber: '1' }), { status: 'unknown' });
      assert.deepEqual(await pki.lookup({ ...id, issuerKeyHash: '00' }), { status: 'unknown' });
    });

    it('replaces an OCSP signer close to its end, once however many requests ask at the same time', async () => {
      const pki = new Iso15118Pki(repo, sealer);
      const contract = await pki.issue('contract', 'DEOV2XC2', await newKey());
      const id = { ...certificateHashData(contract.chain), hashAlgorithm: 'sha256' as const };
      const current = (await pki.signerFor(id))!.certificate;
      // the MO sub-CA's signer now ends in ten days (inside the 30-day margin)
      const moSub = (await repo.byRoles(['moSubCa']))[0]!;
      await sql`UPDATE iso15118_pki_certificates SET not_after = now() + interval '10 days' WHERE role = 'ocspSigner' AND issuer_id = ${moSub.id}`.execute(s.store.db);
      const restarted = new Iso15118Pki(repo, sealer);
      const [a, b] = await Promise.all([restarted.signerFor(id), restarted.signerFor(id)]);
      assert.ok(a!.certificate.equals(b!.certificate));
      assert.ok(!a!.certificate.equals(current), 'a new signer certificate');
      const signers = (await repo.byRoles(['ocspSigner'])).filter((r) => r.issuerId === moSub.id);
      assert.equal(signers.length, 2, 'exactly one new signer');
      const fresh = new x509.X509Certificate(a!.certificate);
      assert.ok(fresh.notAfter.getTime() > Date.now() + 300 * 86_400_000);
      assert.ok(await fresh.verify({ publicKey: await new x509.X509Certificate((await repo.byRoles(['moSubCa']))[0]!.certificate).publicKey.export() }));
    });
  });
}
