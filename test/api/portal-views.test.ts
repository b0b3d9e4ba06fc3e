// The routes the operator portal added to the public API (issue 8): the security log list, the
// tariff editor's draft preview, the PKI (CA status, issued certificates, revocation), the role
// matrix and the LDAP/OIDC settings view. Each is permission-checked, schema-validated and
// scoped like its siblings; none shows a secret.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { csrFor } from '../helpers/test-signer.js';

interface Cost { total_cost: { excl_vat: number; incl_vat: number }; dimensions: Array<{ type: string; billed_volume: number }> }
const definition = {
  currency: 'EUR', time_zone: 'Europe/Berlin', vat_rate: '19',
  elements: [
    { price_components: [{ type: 'ENERGY', price: '0.20' }], restrictions: { start_time: '22:00', end_time: '06:00' } },
    { price_components: [{ type: 'ENERGY', price: '0.40' }, { type: 'FLAT', price: '1.00' }] },
  ],
};
const session = { start: '2026-02-10T20:00:00Z', end: '2026-02-10T22:00:00Z', energy_kwh: 4 };

describe('portal views of the API', () => {
  let p: TestPlatform;
  let admin: ApiUser;
  let support1: ApiUser;
  let support2: ApiUser;
  let scoped: ApiUser;
  let billing: ApiUser;

  before(async () => {
    p = await startTestPlatform({ oidcClientSecret: 'do-not-show-me', ldapBindPassword: 'nor-me' });
    await p.services.identity.stationGroups.create('g1', 'Site 1');
    await p.services.identity.stationGroups.create('g2', 'Site 2');
    for (const [id, g] of [['VIEW-G1', 'g1'], ['VIEW-G2', 'g2']] as const) {
      await p.addStation(id);
      await p.services.identity.stationGroups.assign(id, g);
    }
    admin = await apiUser(p, ['admin']);
    support1 = await apiUser(p, ['support_l1']);
    support2 = await apiUser(p, ['support_l2']);
    scoped = await apiUser(p, ['cpo_manager'], { groups: ['g1'] });
    billing = await apiUser(p, ['billing_manager']);
  });
  after(() => p?.stop());

  it('GET /security/log lists the log newest first with its chain position; scoped callers see their stations only', async () => {
    await p.services.security.record({ stationId: 'VIEW-G1', type: 'TamperDetectionActivated', severity: 'high', details: { n: 1 } });
    await p.services.security.record({ stationId: 'VIEW-G2', type: 'TamperDetectionActivated', severity: 'high', details: { n: 2 } });
    const all = await call<{ items: Array<{ seq: number; stationId: string | null; type: string; details: Record<string, unknown> }> }>(p, 'GET', '/security/log?limit=50', { token: support2.token });
    assert.equal(all.status, 200, JSON.stringify(all.body));
    const ours = all.body.items.filter((e) => e.type === 'TamperDetectionActivated');
    assert.deepEqual(ours.map((e) => e.stationId), ['VIEW-G2', 'VIEW-G1'], 'newest first');
    assert.ok(ours[0]!.seq > ours[1]!.seq, 'chain positions');
    const mine = await call<{ items: Array<{ stationId: string | null }> }>(p, 'GET', '/security/log', { token: scoped.token });
    assert.equal(mine.status, 200);
    assert.ok(mine.body.items.length > 0);
    assert.ok(mine.body.items.every((e) => e.stationId === 'VIEW-G1'), JSON.stringify(mine.body.items));
    const one = await call<{ items: Array<{ stationId: string }> }>(p, 'GET', '/security/log?stationId=VIEW-G2', { token: support2.token });
    assert.ok(one.body.items.length > 0 && one.body.items.every((e) => e.stationId === 'VIEW-G2'));
    assert.equal((await call(p, 'GET', '/security/log', { token: support1.token })).status, 403);
    assert.equal((await call(p, 'GET', '/security/log?limit=0', { token: support2.token })).status, 400);
    assert.equal((await call(p, 'GET', '/security/log?secret=1', { token: support2.token })).status, 400);
  });

  it('POST /tariffs/preview prices a definition not saved, as its saved twin would be quoted, and stores nothing', async () => {
    const preview = await call<Cost>(p, 'POST', '/tariffs/preview', { token: billing.token, body: { tariff: definition, session } });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    // 21:00–23:00 Berlin: 2 kWh by day at 0.40, 2 by night at 0.20, a flat 1.00 → 2.20 net, 2.62 with 19 % VAT
    assert.deepEqual(preview.body.total_cost, { excl_vat: 2.2, incl_vat: 2.62 });
    const saved = await call<{ id: string }>(p, 'POST', '/tariffs', { token: billing.token, body: { name: 'Twin', valid_from: '2026-01-01T00:00:00Z', ...definition } });
    const quote = await call<Cost>(p, 'POST', `/tariffs/${saved.body.id}/quote`, { token: billing.token, body: session });
    assert.deepEqual(preview.body.total_cost, quote.body.total_cost);
    assert.deepEqual(preview.body.dimensions, quote.body.dimensions);
    const before = (await call<{ items: unknown[] }>(p, 'GET', '/tariffs', { token: billing.token })).body.items.length;
    await call(p, 'POST', '/tariffs/preview', { token: billing.token, body: { tariff: definition, session } });
    assert.equal((await call<{ items: unknown[] }>(p, 'GET', '/tariffs', { token: billing.token })).body.items.length, before, 'a preview stores no tariff');
  });

  it('POST /tariffs/preview refuses a bad definition or session clearly, and callers without tariffs:read', async () => {
    const zone = await call<{ code: string; message: string }>(p, 'POST', '/tariffs/preview', { token: billing.token, body: { tariff: { ...definition, time_zone: 'Mars/Olympus' }, session } });
    assert.deepEqual([zone.status, zone.body.code], [422, 'invalid_tariff']);
    const backwards = await call<{ code: string }>(p, 'POST', '/tariffs/preview', { token: billing.token, body: { tariff: definition, session: { ...session, end: '2026-02-10T19:00:00Z' } } });
    assert.deepEqual([backwards.status, backwards.body.code], [422, 'invalid_tariff']);
    assert.equal((await call(p, 'POST', '/tariffs/preview', { token: billing.token, body: { tariff: { ...definition, elements: [] }, session } })).status, 400);
    assert.equal((await call(p, 'POST', '/tariffs/preview', { token: billing.token, body: { tariff: definition } })).status, 400);
    assert.equal((await call(p, 'POST', '/tariffs/preview', { token: support1.token, body: { tariff: definition, session } })).status, 403);
  });

  it('PKI: CA status without keys, issued certificates in scope, revocation by an unscoped pki:manage caller', async () => {
    const empty = await call<{ items: unknown[] }>(p, 'GET', '/pki/status', { token: admin.token });
    assert.deepEqual([empty.status, empty.body.items], [200, []], 'no PKI yet');
    await p.services.pki.init({ algorithm: 'ec-p256', organization: 'OV2X' });
    const status = await call<{ items: Array<Record<string, unknown>> }>(p, 'GET', '/pki/status', { token: scoped.token });
    assert.deepEqual(status.body.items.map((c) => [c.role, c.hasKey]).sort(), [['issuing', true], ['root', true]].sort());
    assert.ok(!JSON.stringify(status.body).includes('PRIVATE'), 'no key material');
    for (const id of ['VIEW-G1', 'VIEW-G2']) await p.services.pki.sign({ stationId: id, certificateType: 'ChargingStationCertificate', csrPem: await csrFor(`CN=${id}, O=OV2X`) });
    const all = await call<{ items: Array<{ serialNumber: string; stationId: string; revokedAt: string | null }> }>(p, 'GET', '/pki/certificates', { token: admin.token });
    assert.deepEqual(all.body.items.map((c) => c.stationId).sort(), ['VIEW-G1', 'VIEW-G2']);
    const mine = await call<{ items: Array<{ stationId: string }> }>(p, 'GET', '/pki/certificates', { token: scoped.token });
    assert.deepEqual(mine.body.items.map((c) => c.stationId), ['VIEW-G1']);
    assert.equal((await call(p, 'GET', '/pki/certificates', { token: billing.token })).status, 403);
    const serial = all.body.items.find((c) => c.stationId === 'VIEW-G2')!.serialNumber;
    assert.equal((await call(p, 'POST', `/pki/certificates/${serial}/revoke`, { token: scoped.token, body: {} })).status, 403, 'cpo_manager has pki:read only');
    const scopedAdmin = await apiUser(p, ['admin'], { groups: ['g1'] });
    assert.equal((await call(p, 'POST', `/pki/certificates/${serial}/revoke`, { token: scopedAdmin.token, body: {} })).status, 403, 'a scoped caller cannot revoke');
    assert.equal((await call(p, 'POST', `/pki/certificates/${serial}/revoke`, { token: admin.token, body: { reason: 'because' } })).status, 400);
    assert.equal((await call(p, 'POST', '/pki/certificates/abc123/revoke', { token: admin.token, body: {} })).status, 404);
    const revoked = await call<{ revokedAt: string | null; revocationReason: string }>(p, 'POST', `/pki/certificates/${serial}/revoke`, { token: admin.token, body: { reason: 'keyCompromise' } });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.ok(revoked.body.revokedAt);
    assert.equal(revoked.body.revocationReason, 'keyCompromise');
    assert.equal(await p.services.pki.isRevoked({ serialNumber: serial, issuer: '' }), true, 'refused at the next handshake');
  });

  it('GET /tokens/unknown-attempts lists sessions of unknown cards by pseudonym, in the caller\'s scope', async () => {
    const unknown = 'NEVER-SEEN-CARD';
    const known = 'KNOWN-CARD-1';
    await p.repos.tokens.upsert({ idToken: known, status: 'Accepted' });
    const password = await p.addStation('VIEW-G2-TX');
    await p.services.identity.stationGroups.assign('VIEW-G2-TX', 'g2');
    const c = await RawClient.connect(`${p.ocppUrl}/VIEW-G2-TX`, { protocols: ['ocpp1.6'], user: 'VIEW-G2-TX', password });
    try {
      await c.call('b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      const [, , refused] = await c.call('s1', 'StartTransaction', { connectorId: 1, idTag: unknown, meterStart: 0, timestamp: new Date().toISOString() });
      assert.equal((refused as { idTagInfo: { status: string } }).idTagInfo.status, 'Invalid');
      await c.call('s2', 'StartTransaction', { connectorId: 2, idTag: known, meterStart: 0, timestamp: new Date().toISOString() });
    } finally {
      c.close();
    }
    const list = await call<{ items: Array<{ stationId: string; token: string }> }>(p, 'GET', '/tokens/unknown-attempts', { token: support1.token });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body.items.map((a) => [a.stationId, a.token]), [['VIEW-G2-TX', await p.services.privacy.pseudonym(unknown)]], 'the unknown card only, never the known one');
    assert.ok(!JSON.stringify(list.body).includes(unknown), 'no UID');
    const g1only = await apiUser(p, ['support_l1'], { groups: ['g1'] });
    assert.deepEqual((await call<{ items: unknown[] }>(p, 'GET', '/tokens/unknown-attempts', { token: g1only.token })).body.items, [], 'out of scope');
    assert.equal((await call(p, 'GET', '/tokens/unknown-attempts', { token: admin.token.slice(0, -2) + 'xx' })).status, 401);
    assert.equal((await call(p, 'GET', '/tokens/unknown-attempts?limit=9999', { token: support1.token })).status, 400);
  });

  it('GET /roles is the permission matrix; GET /settings/identity shows the directory settings but never a secret', async () => {
    const roles = await call<{ items: Array<{ role: string; permissions: string[]; mfaRequired: boolean }> }>(p, 'GET', '/roles', { token: admin.token });
    assert.equal(roles.status, 200);
    const l1 = roles.body.items.find((r) => r.role === 'support_l1')!;
    assert.ok(l1.permissions.includes('tokens:read') && !l1.permissions.includes('tokens:reveal'));
    assert.equal(roles.body.items.find((r) => r.role === 'admin')!.mfaRequired, true);
    const s = await call<{ ldap: boolean; oidc: boolean; items: Array<{ env: string; secret: boolean; set: boolean; value: unknown }> }>(p, 'GET', '/settings/identity', { token: admin.token });
    assert.equal(s.status, 200);
    assert.deepEqual([s.body.ldap, s.body.oidc], [false, false]);
    assert.ok(!JSON.stringify(s.body).includes('do-not-show-me') && !JSON.stringify(s.body).includes('nor-me'), 'secrets are not shown');
    assert.deepEqual(s.body.items.find((x) => x.env === 'OV2X_OIDC_CLIENT_SECRET'), { ...s.body.items.find((x) => x.env === 'OV2X_OIDC_CLIENT_SECRET'), secret: true, set: true, value: null });
    assert.equal(s.body.items.find((x) => x.env === 'OV2X_LDAP_USER_FILTER')!.value, '(uid={username})');
    for (const who of [support2, billing, scoped]) {
      assert.equal((await call(p, 'GET', '/roles', { token: who.token })).status, 403);
      assert.equal((await call(p, 'GET', '/settings/identity', { token: who.token })).status, 403);
    }
  });
});
