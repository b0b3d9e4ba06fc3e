// CM5: commands queued for one station are capped (OV2X_MAX_PENDING_CALLS), so a station that
// never answers cannot make the platform hold an unbounded backlog for it.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CallFailed } from '../../src/ocpp/rpc/call-failed.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

let p: TestPlatform;
before(async () => { p = await startTestPlatform({ maxPendingCalls: 2, callTimeout: 60_000 }); });
after(() => p?.stop());

it('a silent station gets one call in flight and two waiting; the next command fails at once with QueueFull', async () => {
  const password = await p.addStation('CS-SILENT');
  const st = await RawClient.connect(`${p.ocppUrl}/CS-SILENT`, { user: 'CS-SILENT', password });
  assert.equal((await st.call('b1', 'BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }))[0], 3);
  const pending = [1, 2, 3].map(() => p.bus.send('CS-SILENT', { kind: 'clearCache' }));
  for (const c of pending) c.catch(() => undefined);
  const started = Date.now();
  await assert.rejects(p.bus.send('CS-SILENT', { kind: 'clearCache' }), (err: unknown) => err instanceof CallFailed && err.reason === 'QueueFull');
  assert.ok(Date.now() - started < 1000, 'refused at once, not after a timeout');
  // the station sees only the one in flight
  const frame = (await st.next()) as unknown[];
  assert.equal(frame[2], 'ClearCache');
  st.close();
  await Promise.allSettled(pending);
});
