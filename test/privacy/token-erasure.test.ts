// Issue 6: no plaintext token UID in any table after sessions, reservations, local lists and
// remote starts in both OCPP versions (migration 0024), and a data-subject erasure that removes
// the UID everywhere and clears the stations where the token was used (CustomerInformation on
// 2.0.1, ClearCache on 1.6), driven over real sockets with the station simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import type { Database } from '../../src/store/schema.js';
import { apiUser, call } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const UID16 = 'PRIV16-UID-7F3A';
const UID201 = 'PRIV201-UID-9C2B';

/** Every text and JSON column of every table that holds one of `needles` (hex and base64 too). */
async function plaintextHits(db: Kysely<Database>, needles: string[]): Promise<string[]> {
  const cols = await sql<{ t: string; c: string }>`
    select table_name as t, column_name as c from information_schema.columns
    where table_schema = current_schema() and data_type in ('text', 'json', 'jsonb', 'character varying')`.execute(db);
  assert.ok(cols.rows.length > 50, 'the scan sees the whole schema');
  const forms = needles.flatMap((n) => [n, Buffer.from(n).toString('hex'), Buffer.from(n).toString('base64')]);
  const hits: string[] = [];
  for (const c of cols.rows) {
    for (const f of forms) {
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(c.t)} where ${sql.ref(c.c)}::text like ${`%${f}%`}`.execute(db);
      if (r.rows[0]!.n > 0) hits.push(`${c.t}.${c.c} holds ${f}`);
    }
  }
  return hits;
}

describe('token UIDs: nowhere in clear, erased on request (issue 6, G1/G3)', () => {
  let p: TestPlatform;
  const sims: SimulatedStation[] = [];
  let customerId: number;
  const sim = async (id: string, protocol: '1.6' | '2.0.1'): Promise<SimulatedStation> => {
    const s = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol, connectors: 2, meterIntervalMs: 0, log: silentLogger });
    sims.push(s);
    await s.connect();
    await s.boot();
    return s;
  };

  before(async () => {
    p = await startTestPlatform();
    customerId = (await p.services.customers.create({ name: 'Erika Mustermann', email: 'erika@example.org' })).id;
    for (const uid of [UID16, UID201]) {
      await p.repos.tokens.upsert({ idToken: uid, status: 'Accepted' });
      await p.store.db.updateTable('idTokens').set({ customerId }).where('uidIndex', '=', await p.services.privacy.index(uid)).execute();
    }
  });
  after(async () => {
    for (const s of sims) await s.close();
    await p?.stop();
  });

  it('after sessions, reservations, local lists and remote starts in both versions no column of any table holds a UID', async () => {
    for (const [id, protocol, uid] of [['PRIV-16', '1.6', UID16], ['PRIV-201', '2.0.1', UID201]] as const) {
      const st = await sim(id, protocol);
      assert.equal((await p.services.localAuthList.sync(id)).status, 'Accepted');
      assert.equal(st.localList.entries.get(uid)?.status, 'Accepted', 'the station got the UID itself');
      const txn = await st.startSession({ connector: 1, idTag: uid });
      await st.stopSession(txn);
      const { reservation } = await p.services.reservations.reserve(id, { idToken: uid, evseId: 2, expiresAt: new Date(Date.now() + 60_000) });
      await p.services.reservations.cancel(id, reservation.id);
      const start = await p.services.commands.send(id, { kind: 'remoteStart', idToken: uid, evseId: 1 });
      assert.equal(start.status, 'Accepted');
      await until('remote session running', async () => (await p.repos.transactions.list({ stationId: id, state: 'active', limit: 5, offset: 0 })).length > 0);
      const running = (await p.repos.transactions.list({ stationId: id, state: 'active', limit: 5, offset: 0 }))[0]!;
      await p.services.commands.send(id, { kind: 'remoteStop', transactionRef: running.transactionRef });
    }
    await p.services.cdrs.settled();
    const txs = await p.repos.transactions.list({ limit: 50, offset: 0 });
    assert.ok(txs.length >= 2 && txs.every((t) => t.idToken === null || /^tok_[a-z2-7]{16}$/.test(t.idToken)), 'transactions refer to tokens by pseudonym');
    assert.deepEqual(await plaintextHits(p.store.db, [UID16, UID201]), []);
  });

  it('the start-time backfill rewrites UIDs an older release stored, and is idempotent', async () => {
    const [tx] = await p.repos.transactions.list({ stationId: 'PRIV-16', limit: 1, offset: 0 });
    await p.store.db.updateTable('transactions').set({ idToken: UID16 }).where('id', '=', tx!.id).execute();
    await p.store.db.insertInto('stationCommands').values({ stationId: 'PRIV-16', kind: 'remoteStart', command: JSON.stringify({ kind: 'remoteStart', idToken: UID16 }), requestId: null, action: null, failure: null, answeredAt: null, progress: null }).execute();
    assert.notDeepEqual(await plaintextHits(p.store.db, [UID16]), []);
    const first = await p.services.privacy.backfill();
    assert.equal(first.transactions, 1);
    assert.equal(first.commands, 1);
    assert.deepEqual(await plaintextHits(p.store.db, [UID16]), []);
    const again = await p.services.privacy.backfill();
    assert.deepEqual([again.tokens, again.transactions, again.commands, again.localLists], [0, 0, 0, 0]);
  });

  it('a retention pass rewrites what an older node wrote since the last pass, and GET /privacy/retention shows the runs', async () => {
    await p.store.db.insertInto('stationCommands').values({ stationId: 'PRIV-201', kind: 'remoteStart', command: JSON.stringify({ kind: 'remoteStart', idToken: UID201 }), requestId: null, action: null, failure: null, answeredAt: null, progress: null }).execute();
    await p.services.retention.run();
    assert.deepEqual(await plaintextHits(p.store.db, [UID201]), []);
    const manager = await apiUser(p, ['emsp_manager']);
    const r = await call<{ policy: Record<string, number>; runs: Array<{ dataClass: string; deleted: number; complete: boolean }> }>(p, 'GET', '/privacy/retention', { token: manager.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.policy.meterValues, 400);
    assert.deepEqual(r.body.runs.map((x) => x.dataClass).sort(), ['commandJournal', 'endedTransactions', 'meterValues', 'securityEvents', 'statusHistory', 'unknownTokenAttempts']);
    assert.ok(r.body.runs.every((x) => x.deleted === 0 && x.complete), 'nothing here is old enough');
    assert.equal((await call(p, 'GET', '/privacy/retention', { token: (await apiUser(p, ['support_l1'])).token })).status, 403);
  });

  it('exports the customer\'s tokens with their UIDs and sessions', async () => {
    const holder = p.services.dataSubjects.holders().find((h) => h.name === 'tokens')!;
    const out = await holder.export(customerId) as { tokens: Array<{ idToken: string; id: string }>; transactions: Array<{ token: string; stationId: string }> };
    assert.deepEqual(out.tokens.map((t) => t.idToken).sort(), [UID16, UID201]);
    assert.deepEqual([...new Set(out.transactions.map((t) => t.stationId))].sort(), ['PRIV-16', 'PRIV-201']);
  });

  it('erasure removes the UID from every table, updates the local lists and clears the stations', async () => {
    const st201 = sims.find((s) => s.identity === 'PRIV-201')!;
    const st16 = sims.find((s) => s.identity === 'PRIV-16')!;
    // before: the 2.0.1 station reports what it holds about the token
    const reportBefore = await p.services.customerInformation.request('PRIV-201', { customer: { idToken: UID201, type: 'ISO14443' }, report: true, clear: false });
    await until('report before', async () => (await p.services.customerInformation.report('PRIV-201', reportBefore.requestId!))?.complete === true);
    assert.match((await p.services.customerInformation.report('PRIV-201', reportBefore.requestId!))!.data, /transaction/);
    const pseudonyms = [await p.services.privacy.pseudonym(UID16), await p.services.privacy.pseudonym(UID201)];

    const holder = p.services.dataSubjects.holders().find((h) => h.name === 'tokens')!;
    const counts = await holder.erase({ customerId, requestedBy: 'test', at: new Date() });
    assert.equal(counts.tokens, 2);
    assert.equal(counts.stationReports, 1, 'the report the 2.0.1 station sent about the token is deleted');
    assert.equal((await p.services.customerInformation.report('PRIV-201', reportBefore.requestId!)), undefined);
    assert.equal(counts.localListsUpdated, 2);
    assert.equal(counts.customerInformationAccepted, 1, 'CustomerInformation(clear) to the 2.0.1 station');
    assert.equal(counts.clearCacheAccepted, 1, 'ClearCache to the 1.6 station');

    // the stations no longer hold the token
    assert.equal(st16.localList.entries.has(UID16), false);
    assert.equal(st201.localList.entries.has(UID201), false);
    const journal = await p.services.commands.list('PRIV-201', { kind: 'customerInformation', limit: 1 });
    assert.deepEqual([journal[0]!.command.clear, (journal[0]!.command.customer as { idToken: string }).idToken], [true, pseudonyms[1]], 'journalled by pseudonym');
    const reportAfter = await p.services.customerInformation.request('PRIV-201', { customer: { idToken: UID201, type: 'ISO14443' }, report: true, clear: false });
    await until('report after', async () => (await p.services.customerInformation.report('PRIV-201', reportAfter.requestId!))?.complete === true);
    assert.equal((await p.services.customerInformation.report('PRIV-201', reportAfter.requestId!))!.data, '', 'the station cleared its data');

    // the CSMS no longer knows the UID: no box, no blind index, no authorization; the pseudonym stays for CDRs
    for (const [i, uid] of [UID16, UID201].entries()) {
      assert.equal((await p.services.tokens.authorize(uid)).status, 'Unknown');
      const row = await p.store.db.selectFrom('idTokens').selectAll().where('pseudonym', '=', pseudonyms[i]!).executeTakeFirstOrThrow();
      assert.deepEqual([row.idToken, row.uidEncrypted, row.uidIndex, row.status], [null, null, null, 'Blocked']);
    }
    const manager = await apiUser(p, ['emsp_manager']);
    assert.equal((await call(p, 'GET', `/tokens/${pseudonyms[0]}`, { token: manager.token })).status, 200, 'the token stays listed by pseudonym');
    assert.equal((await call(p, 'POST', `/tokens/${pseudonyms[0]}/reveal`, { token: manager.token })).status, 404, 'no UID left to reveal');
    const cdrs = await p.store.db.selectFrom('cdrs').select('tokenUid').execute();
    assert.ok(cdrs.length >= 2 && cdrs.every((c) => pseudonyms.includes(c.tokenUid!)), 'CDRs keep the pseudonym');
    assert.deepEqual(await plaintextHits(p.store.db, [UID16, UID201]), []);
    // erasing again changes nothing and sends nothing
    const again = await holder.erase({ customerId, requestedBy: 'test', at: new Date() });
    assert.deepEqual([again.tokens, again.customerInformationAccepted, again.clearCacheAccepted], [0, 0, 0]);
  });
});
