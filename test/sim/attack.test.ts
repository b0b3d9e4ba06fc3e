import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { detectors } from '../../src/security/ids/rules.js';
import { attackClasses, attacks, AttackUsageError, detects, plan, techniques, type AttackClass, type AttackInstance, type StationCredential } from '../../src/sim/attack/index.js';
import { runFleet } from '../../src/sim/fleet.js';
import { offlineReplay } from '../../src/sim/offline-replay.js';
import type { IdsAlert } from '../../src/store/schema.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** The techniques whose detector this build has (the others wait for theirs: see the report of the bench). */
const ready = (cls: AttackClass) => techniques[cls].filter((t) => (detectors as readonly string[]).includes(t.detector)).map((t) => t.name);

async function alerts(p: TestPlatform): Promise<IdsAlert[]> {
  await p.ids!.settled();
  return p.services.idsAlerts.list({ limit: 1000, offset: 0 });
}

const place = { name: null, address: 'Main St 1', city: 'Town', postalCode: '1234', state: null, country: 'NLD', timeZone: 'Europe/Amsterdam', openingTimes: null, parkingType: null, operatorName: null, ownerName: null, facilities: [], publish: true, groupId: null };

describe('attack library against a platform with the IDS on', () => {
  let p: TestPlatform;
  const creds: Record<string, StationCredential[]> = {};
  const tags = ['ATK-CARD-1', 'ATK-CARD-2', 'ATK-CARD-3'];
  before(async () => {
    p = await startTestPlatform({ handshakeTimeout: 1000 });
    await p.repos.locations.create('ATK-AMS', { ...place, latitude: 52.37, longitude: 4.89 });
    await p.repos.locations.create('ATK-MUC', { ...place, country: 'DEU', latitude: 48.14, longitude: 11.58 });
    for (const cls of attackClasses) {
      creds[cls] = [];
      for (let i = 0; i < 10; i++) {
        const id = `ATK-${cls.slice(0, 3).toUpperCase()}-${i}`;
        creds[cls]!.push({ id, password: await p.addStation(id) });
        if (cls === 'sybil') await p.repos.locations.attach(id, i % 2 ? 'ATK-MUC' : 'ATK-AMS');
      }
    }
    for (const uid of tags) await p.repos.tokens.upsert({ idToken: uid, status: 'Accepted' });
  });
  after(() => p.stop());

  for (const [k, cls] of attackClasses.entries()) {
    it(`${cls}: every instance raises an alert of its class naming its station or address`, async () => {
      const names = ready(cls);
      const ran: AttackInstance[] = await attacks[cls]({
        url: p.ocppUrl, count: names.length, durationMs: 20_000, stations: creds[cls], idTags: cls === 'sybil' ? [tags[k % 3]!, tags[(k + 1) % 3]!, tags[(k + 2) % 3]!] : undefined,
        sources: [`127.0.${10 + k}.1`], techniques: names, holdMs: 3000, frameBytes: p.config.maxFrameBytes + 1024,
      });
      assert.deepEqual(ran.map((i) => i.technique), names);
      for (const inst of ran) {
        assert.ok(inst.endedAt >= inst.startedAt && inst.sent > 0, `${inst.instance} ran`);
        assert.equal(inst.sourceIp, `127.0.${10 + k}.1`);
      }
      const all = await alerts(p);
      for (const inst of ran) {
        assert.ok(all.some((a) => detects(a, inst)), `${inst.instance} (${inst.detector}${inst.error ? `, ${inst.error}` : ''}) detected; alerts: ${all.map((a) => `${a.rule}@${a.stationId ?? a.sourceIp}`).join(' ')}`);
      }
    });
  }

  it('refuses a target off loopback, and a run it has no credentials for', () => {
    assert.throws(() => plan('dos', { url: 'ws://192.0.2.10:9000/ocpp', count: 1, durationMs: 1000 }), AttackUsageError);
    assert.doesNotThrow(() => plan('dos', { url: 'ws://192.0.2.10:9000/ocpp', count: 1, durationMs: 1000, allowRemote: true }));
    assert.throws(() => plan('replay', { url: p.ocppUrl, count: 2, durationMs: 1000, stations: [] }), /needs 2 station/);
    assert.throws(() => plan('sybil', { url: p.ocppUrl, count: 1, durationMs: 1000, stations: creds.sybil }), /--id-tags/);
  });

  it('benign: a fleet with reboots and reconnects, and offline replays after reconnecting, raise no alert', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `BEN-${i}`);
    const pw = new Map<string, string>();
    for (const id of [...ids, 'BEN-OFF16', 'BEN-OFF201']) {
      pw.set(id, await p.addStation(id));
      await p.repos.tokens.upsert({ idToken: `BENTAG-${id}`, status: 'Accepted' });
    }
    const before = new Set((await alerts(p)).map((a) => a.id));
    const fleet = runFleet({
      url: p.ocppUrl, stations: ids.length, protocol: '1.6', identities: ids, passwordFor: (id) => pw.get(id), rampPerSecond: 100,
      sessions: 2, sessionDurationMs: 600, meterIntervalMs: 100, idTagFor: (id) => `BENTAG-${id}`,
      localAddressFor: (_id, i) => `127.0.40.${i + 1}`,
    });
    // a reboot (soft reset) and a dropped connection while sessions run
    await new Promise((r) => setTimeout(r, 400));
    await p.bus.send('BEN-0', { kind: 'reset', mode: 'soft' }).catch(() => undefined);
    p.ocpp.disconnect('BEN-1', 'test: connection lost');
    const [stats, c16, c201] = await Promise.all([
      fleet,
      offlineReplay({ url: p.ocppUrl, identity: 'BEN-OFF16', password: pw.get('BEN-OFF16'), protocol: '1.6', idTag: 'BENTAG-BEN-OFF16', localAddress: '127.0.41.1', outageMs: 800 }),
      offlineReplay({ url: p.ocppUrl, identity: 'BEN-OFF201', password: pw.get('BEN-OFF201'), protocol: '2.0.1', idTag: 'BENTAG-BEN-OFF201', localAddress: '127.0.41.2', outageMs: 800 }),
    ]);
    assert.equal(stats.booted, ids.length);
    assert.ok(stats.sessionsCompleted >= ids.length, `${stats.sessionsCompleted} sessions`);
    assert.ok(c16 > 10 && c201 > 10);
    const fresh = (await alerts(p)).filter((a) => !before.has(a.id));
    assert.deepEqual(fresh.map((a) => `${a.rule}@${a.stationId ?? a.sourceIp}`), []);
  });
});
