import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenRepo } from '../../src/store/index.js';
import { CustomerRepo } from '../../src/store/repos/customers.js';
import { UserRepo } from '../../src/store/repos/users.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`CustomerRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open();
    });
    after(() => s?.cleanup());

    it('lists with totals, keeps the consent history, links tokens and accounts, erases in one step', async () => {
      const repo = new CustomerRepo(s.store.db);
      const a = await repo.create('C-AAAA', { nameEncrypted: 'box-a', emailIndex: 'idx-a', phoneEncrypted: 'box-p' });
      const b = await repo.create('C-BBBB', { emailIndex: 'idx-b' });
      await assert.rejects(repo.create('C-CCCC', { emailIndex: 'idx-a' }), /duplicate|customer/i, 'the e-mail index is unique');
      const page = await repo.list({ limit: 1, offset: 0, sort: 'reference', order: 'desc' });
      assert.deepEqual([page.rows.map((r) => r.reference), page.total], [['C-BBBB'], 2]);
      assert.equal((await repo.byEmailIndex('idx-a'))?.id, a.id);

      const at = new Date().toISOString();
      await repo.recordConsents(a.id, { terms: { granted: true, at, version: '1' } }, [{ consent: 'terms', granted: true, version: '1' }], 'user:1');
      await repo.recordConsents(a.id, { terms: { granted: false, at, version: '1' } }, [{ consent: 'terms', granted: false, version: '1' }], 'user:2');
      assert.deepEqual((await repo.consentHistory(a.id)).map((e) => [e.consent, e.granted, e.recordedBy]), [['terms', true, 'user:1'], ['terms', false, 'user:2']]);
      assert.equal((await repo.get(a.id))?.consents.terms?.granted, false);

      const tokens = new TokenRepo(s.store.db);
      await s.store.db.insertInto('idTokens').values({ idToken: 'UID-1', status: 'Accepted', pseudonym: 'tok_aaaaaaaaaaaaaaaa' }).execute();
      assert.equal((await repo.linkToken('tok_aaaaaaaaaaaaaaaa', a.id, 'DE-X-1'))?.customerId, a.id);
      assert.equal(await repo.linkToken('tok_bbbbbbbbbbbbbbbb', a.id, null), undefined);
      assert.deepEqual((await repo.tokensOf(a.id)).map((t) => t.contractId), ['DE-X-1']);
      assert.equal((await tokens.get('UID-1'))?.status, 'Accepted');

      const users = new UserRepo(s.store.db);
      const u = await users.create({ username: 'c-aaaa', roles: ['customer'] });
      await repo.linkAccount(u.id, a.id);
      assert.deepEqual((await repo.portalAccounts(a.id)).map((x) => x.username), ['c-aaaa']);

      assert.deepEqual(await repo.erase(a.id), { customers: 1, portalAccounts: 1 });
      const erased = await repo.get(a.id);
      assert.deepEqual([erased?.status, erased?.nameEncrypted, erased?.emailIndex, erased?.phoneEncrypted], ['erased', null, null, null]);
      assert.ok(erased?.erasedAt);
      assert.equal(await users.byId(u.id), undefined);
      assert.deepEqual(await repo.erase(a.id), { customers: 0, portalAccounts: 0 }, 'idempotent');
      assert.equal(await repo.update(a.id, { nameEncrypted: 'again' }), undefined, 'an erased row takes no new data');
      assert.equal((await repo.consentHistory(a.id)).length, 2, 'the proof of consent stays');
      assert.equal((await repo.get(b.id))?.status, 'active');
    });
  });
}
