// CM3/CM5: connection attempts from one address beyond its token bucket are refused with 429
// before any database work, and recorded.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

let p: TestPlatform;
before(async () => { p = await startTestPlatform({ connectRatePerIp: 1, connectBurstPerIp: 3 }); });
after(() => p?.stop());

it('a burst beyond OV2X_CONNECT_BURST_PER_IP is refused with 429 and recorded', async () => {
  const password = await p.addStation('CS-RATE');
  const started = Date.now();
  const attempts = await Promise.all(Array.from({ length: 12 }, () =>
    RawClient.connect(`${p.ocppUrl}/CS-RATE`, { user: 'CS-RATE', password }).then((c) => { c.close(); return 101; }, (err: { status?: number }) => err.status)));
  // the burst, plus one refill per second the attempts took (a loaded machine spreads them out)
  const allowed = 3 + Math.floor((Date.now() - started) / 1000);
  const admitted = attempts.filter((s) => s === 101).length;
  assert.ok(admitted >= 3 && admitted <= allowed, `${admitted} admitted, at most ${allowed}: ${JSON.stringify(attempts)}`);
  assert.equal(attempts.filter((s) => s === 429).length, 12 - admitted, JSON.stringify(attempts));
  await until('recorded', async () => (await p.repos.securityEvents.list({ limit: 100 })).some((e) => e.type === 'ConnectionRateExceeded' && e.sourceIp === '127.0.0.1'));
});
