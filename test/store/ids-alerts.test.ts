import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IdsAlertRepo } from '../../src/store/repos/ids-alerts.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`IdsAlertRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let alerts: IdsAlertRepo;
    before(async () => {
      s = await backend.open();
      alerts = new IdsAlertRepo(s.store.db);
    });
    after(() => s?.cleanup());

    const input = (key: string, stationId: string | null = 'CS-9') => ({
      class: 'T1', rule: 'T1-frame-rate', severity: 'warning' as const, stationId, sourceIp: '192.0.2.7', dedupKey: key,
      evidence: { frames: 301, recent: [{ action: 'Heartbeat', messageId: 'a', bytes: 30 }] }, response: { kind: 'throttle', executed: true },
    });

    it('opens an alert with its evidence and finds it again by dedup key while it is seen and not closed', async () => {
      const a = await alerts.open(input('k1'));
      assert.equal(a.status, 'open');
      assert.equal(a.count, 1);
      assert.deepEqual(a.evidence, input('k1').evidence);
      assert.equal((await alerts.current('k1', new Date(Date.now() - 60_000)))?.id, a.id);
      assert.equal(await alerts.current('k1', new Date(Date.now() + 60_000)), undefined, 'outside the dedup window');
      assert.equal(await alerts.current('other', new Date(0)), undefined);
    });

    it('counts sightings, keeps the latest evidence, and stops matching once closed', async () => {
      const a = await alerts.open(input('k2'));
      await alerts.sighted(a.id, { frames: 900 }, { kind: 'throttle', executed: true });
      await alerts.sighted(a.id, { frames: 950 }, { kind: 'throttle', executed: true });
      const b = await alerts.get(a.id);
      assert.equal(b?.count, 3);
      assert.deepEqual(b?.evidence, { frames: 950 });
      assert.ok(b!.lastSeen.getTime() >= b!.firstSeen.getTime());
      const closed = await alerts.setStatus(a.id, 'closed', 'user:1');
      assert.equal(closed?.status, 'closed');
      assert.equal(closed?.changedBy, 'user:1');
      assert.ok(closed?.changedAt instanceof Date);
      assert.equal(await alerts.current('k2', new Date(0)), undefined);
    });

    it('lists newest first with filters', async () => {
      await alerts.open({ ...input('k3', null), class: 'T4', rule: 'T4-password-burst', severity: 'high' });
      const t4 = await alerts.list({ class: 'T4', limit: 10, offset: 0 });
      assert.deepEqual(t4.map((x) => x.rule), ['T4-password-burst']);
      const all = await alerts.list({ limit: 10, offset: 0 });
      assert.ok(all.length >= 3);
      assert.ok(all[0]!.id > all[1]!.id);
      assert.equal((await alerts.list({ status: 'closed', limit: 10, offset: 0 })).length, 1);
      assert.equal((await alerts.list({ stationId: 'CS-9', severity: 'warning', limit: 10, offset: 0 })).length, 2);
    });
  });
}
