import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultRules, ruleTable, RulesError, type Rule } from '../../src/security/ids/rules.js';
import { Responder } from '../../src/security/ids/responses.js';
import { KeyedWindows, WindowCount } from '../../src/security/ids/windows.js';
import { distanceKm } from '../../src/security/ids/engine.js';
import { networkChanged, powerW } from '../../src/security/ids/signals.js';

describe('IDS rule table', () => {
  it('is the built-in table without OV2X_IDS_RULES', () => {
    assert.deepEqual(ruleTable(undefined), [...defaultRules]);
  });

  it('patches a built-in rule by id, adds a new one, and turns one off', () => {
    const t = ruleTable(JSON.stringify([
      { id: 'T1-frame-rate', threshold: 500 },
      { id: 'PH3-custom', class: 'PH3', detector: 'stationSecurityEvent', threshold: 1, windowS: 1, severity: 'high', types: ['VendorThing'] },
      { id: 'T5-token-two-stations', enabled: false },
    ]));
    assert.equal(t.find((r) => r.id === 'T1-frame-rate')!.threshold, 500);
    assert.equal(t.find((r) => r.id === 'T1-frame-rate')!.response, 'throttle');
    assert.equal(t.find((r) => r.id === 'PH3-custom')!.response, 'report');
    assert.equal(t.find((r) => r.id === 'T5-token-two-stations')!.enabled, false);
  });

  it('takes the new detectors\' fields: half-open timeout, clock-skew grace, over-power rating', () => {
    const t = ruleTable(JSON.stringify([{ id: 'T1-slow-handshake', timeoutS: 30 }, { id: 'T3-clock-skew', graceS: 0 }, { id: 'T2-over-power', maxKw: 22, ratio: 0.05 }]));
    assert.equal(t.find((r) => r.id === 'T1-slow-handshake')!.timeoutS, 30);
    assert.equal(t.find((r) => r.id === 'T3-clock-skew')!.graceS, 0);
    assert.deepEqual([t.find((r) => r.id === 'T2-over-power')!.maxKw, t.find((r) => r.id === 'T2-over-power')!.ratio], [22, 0.05]);
  });

  it('refuses what would be misread at start: not JSON, unknown detector, unknown field, bad ratio, a stalling throttle', () => {
    for (const bad of ['{', '{}', '[{"id":"x","class":"T1","detector":"nope","threshold":1,"windowS":1,"severity":"high"}]',
      '[{"id":"T1-frame-rate","treshold":5}]', '[{"id":"T1-bad-frames","ratio":2}]', '[{"id":"T1-frame-rate","responseParam":60000}]',
      '[{"id":"T1-frame-rate","threshold":0}]', '[{"id":"PH3-tamper","types":[]}]',
      '[{"id":"T1-slow-handshake","timeoutS":0}]', '[{"id":"T3-clock-skew","graceS":-1}]', '[{"id":"T2-over-power","maxKw":"400"}]', '[{"id":"T2-over-power","ratio":1.5}]']) {
      assert.throws(() => ruleTable(bad), RulesError, bad);
    }
  });
});

describe('IDS window counters', () => {
  it('fire once per window at the threshold, and again in the next window', () => {
    const w = new WindowCount();
    const fired = [0, 1, 2, 3, 4].map((t) => w.hit(1000 + t, 10, 3));
    assert.deepEqual(fired, [false, false, true, false, false]);
    assert.deepEqual([w.hit(1020, 10, 3), w.hit(1021, 10, 3), w.hit(1022, 10, 3)], [false, false, true]);
  });

  it('keep at most `max` keys', () => {
    const k = new KeyedWindows(3);
    for (let i = 0; i < 10; i++) k.hit(`ip${i}`, i, 1000, 5);
    assert.equal(k.size, 3);
    k.sweep(5000, 1000);
    assert.equal(k.size, 0);
  });
});

describe('IDS distance', () => {
  it('measures great-circle distances (Amsterdam–Munich ≈ 665 km, Amsterdam–Amsterdam 0)', () => {
    const ams = { lat: 52.3702, lon: 4.8952 };
    assert.ok(Math.abs(distanceKm(ams, { lat: 48.1374, lon: 11.5755 }) - 665) < 10);
    assert.equal(distanceKm(ams, ams), 0);
  });
});

describe('IDS responder', () => {
  const rule = (over: Partial<Rule>): Rule => ({ ...defaultRules.find((r) => r.id === 'T4-password-burst')!, ...over });
  const target = { stationId: 'CS-1', sourceIp: '192.0.2.9', throttle: () => false };

  it('blocks through the perimeter port with the rule\'s TTL (default 1 h, null = until lifted)', async () => {
    const calls: unknown[] = [];
    const r = new Responder(undefined, { block: async (t, o) => { calls.push([t, o]); } });
    assert.deepEqual(await r.respond(rule({ response: 'block-ip', responseParam: 600 }), target), { kind: 'block-ip', executed: true, detail: '192.0.2.9 for 600 s' });
    await r.respond(rule({ response: 'block-identity' }), target);
    await r.respond(rule({ response: 'block-identity', responseParam: null }), target);
    assert.deepEqual(calls, [
      [{ kind: 'ip', value: '192.0.2.9' }, { ttlS: 600, reason: 'ids rule T4-password-burst', by: 'ids' }],
      [{ kind: 'identity', value: 'CS-1' }, { ttlS: 3600, reason: 'ids rule T4-password-burst', by: 'ids' }],
      [{ kind: 'identity', value: 'CS-1' }, { ttlS: null, reason: 'ids rule T4-password-burst', by: 'ids' }],
    ]);
  });

  it('records a block it could not make as not executed', async () => {
    const none = new Responder(undefined, { block: () => assert.fail('nothing to block') });
    assert.deepEqual(await none.respond(rule({ response: 'block-ip' }), { ...target, sourceIp: undefined }), { kind: 'block-ip', executed: false, detail: 'no target' });
    const failing = new Responder(undefined, { block: () => Promise.reject(new Error('store down')) });
    assert.deepEqual(await failing.respond(rule({ response: 'block-ip' }), target), { kind: 'block-ip', executed: false, detail: 'block failed: store down' });
    assert.equal((await none.respond(rule({ response: 'disconnect' }), target)).executed, false);
  });
});

describe('IDS signals', () => {
  it('a network change is a move out of the /16 (IPv4) or /48 (IPv6); other families or non-addresses are not compared', () => {
    assert.equal(networkChanged('198.51.100.7', '198.51.3.9'), false);
    assert.equal(networkChanged('198.51.100.7', '198.52.100.7'), true);
    assert.equal(networkChanged('::ffff:198.51.100.7', '198.51.0.1'), false);
    assert.equal(networkChanged('2001:db8:1:1::5', '2001:db8:1:ffff::9'), false);
    assert.equal(networkChanged('2001:db8:1:1::5', '2001:db8:2:1::5'), true);
    assert.equal(networkChanged('198.51.100.7', '2001:db8::1'), false);
    assert.equal(networkChanged('unknown', '198.51.100.7'), false);
  });

  it('active power is the total, else the sum of the line phases, in W whatever the unit; unknown units are ignored', () => {
    const reading = (samples: Array<Record<string, unknown>>) => ({ timestamp: new Date(), raw: [], samples: samples.map((s) => ({ value: 0, measurand: 'Power.Active.Import', ...s })) });
    assert.equal(powerW(reading([{ value: 22, unit: 'kW' }, { value: 7000, phase: 'L1' }])), 22_000);
    assert.equal(powerW(reading([{ value: 7, unit: 'kW', phase: 'L1-N' }, { value: 7, unit: 'kW', phase: 'L2-N' }, { value: 7000, phase: 'L3' }])), 21_000);
    assert.equal(powerW(reading([{ value: 5, multiplier: 3 }])), 5000);
    assert.equal(powerW(reading([{ value: 5, unit: 'VA' }])), undefined);
    assert.equal(powerW({ timestamp: new Date(), raw: [], samples: [{ value: 1000 }] }), undefined);
  });
});
