import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startPlatform } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { apiUser, call } from '../helpers/api.js';
import { RawClient } from '../helpers/raw-client.js';

type Obj = Record<string, unknown>;
const SEED = 'PD-SEED-4711';
const EMAIL = 'erika.mustermann@example.org';

/** Every line the platform logs, at debug level. */
function capture(): { lines: string[]; stream: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe('log redaction (G4): personal data never reaches a log line', () => {
  it('the logger redacts personal-data keys at any depth', () => {
    const { lines, stream } = capture();
    const log = createLogger('debug', stream as never);
    log.debug({ idTag: SEED, req: { body: { idToken: { idToken: SEED, type: 'ISO14443' }, email: EMAIL } }, a: { b: { c: { phoneNumber: '+49 30 1234567', name: 'Erika' } } } }, 'payload');
    assert.equal(lines.length, 1);
    for (const s of [SEED, EMAIL, '1234567', 'Erika']) assert.ok(!lines[0]!.includes(s), `${s} logged`);
    assert.match(lines[0]!, /\[redacted\]/);
  });

  it('a charging session with a seeded token, through OCPP 1.6 and 2.0.1 and the API, logs no trace of the token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-redaction-'));
    const { lines, stream } = capture();
    const p = await startPlatform({ ...loadConfig({}, {}), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'debug' }, createLogger('debug', stream as never));
    try {
      const admin = await apiUser(p, ['admin']);
      // the token enters through the API, is listed, revealed and blocked/unblocked
      const created = await call(p, 'POST', '/tokens', { token: admin.token, body: { idToken: SEED, groupIdToken: `${SEED}-G` } });
      assert.equal(created.status, 201);
      const id = String(created.body.id);
      assert.equal((await call(p, 'POST', `/tokens/${id}/reveal`, { token: admin.token, body: {} })).body.idToken, SEED);
      assert.equal((await call(p, 'POST', '/tokens', { token: admin.token, body: { idToken: SEED } })).status, 409);
      assert.equal((await call(p, 'POST', '/tokens', { token: admin.token, body: { idToken: `${SEED} with a space`, email: EMAIL } })).status, 400);

      // OCPP 1.6: authorize, start, stop, and a malformed Authorize (schema violation)
      const pw16 = await p.services.stations.register('CP-PD16', {}).then((r) => r.password);
      const c16 = await RawClient.connect(`${p.ocppUrl}/CP-PD16`, { protocols: ['ocpp1.6'], user: 'CP-PD16', password: pw16 });
      let n = 0;
      const call16 = async (action: string, payload: unknown): Promise<unknown[]> => c16.call(`m${++n}`, action, payload);
      await call16('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'W' });
      assert.equal(((await call16('Authorize', { idTag: SEED }))[2] as { idTagInfo: Obj }).idTagInfo.status, 'Accepted');
      const started = (await call16('StartTransaction', { connectorId: 1, idTag: SEED, meterStart: 0, timestamp: new Date().toISOString() }))[2] as { transactionId: number };
      await call16('StopTransaction', { transactionId: started.transactionId, idTag: SEED, meterStop: 1200, timestamp: new Date().toISOString(), reason: 'Local' });
      await call16('Authorize', { idTag: `${SEED}-${SEED}-${SEED}` });
      await call16('Authorize', { idTag: SEED, extra: SEED });
      c16.close();

      // OCPP 2.0.1: authorize and a transaction event carrying the token
      const pw201 = await p.services.stations.register('CP-PD201', {}).then((r) => r.password);
      const c201 = await RawClient.connect(`${p.ocppUrl}/CP-PD201`, { protocols: ['ocpp2.0.1'], user: 'CP-PD201', password: pw201 });
      await c201.call('b1', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'W', vendorName: 'ACME' } });
      assert.equal(((await c201.call('a1', 'Authorize', { idToken: { idToken: SEED, type: 'ISO14443' } }))[2] as { idTokenInfo: Obj }).idTokenInfo.status, 'Accepted');
      await c201.call('t1', 'TransactionEvent', {
        eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0,
        transactionInfo: { transactionId: 'TX-PD-1' }, idToken: { idToken: SEED, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 },
      });
      c201.close();
      // a session with a denied token, too
      assert.equal((await call(p, 'PATCH', `/tokens/${id}`, { token: admin.token, body: { status: 'Blocked' } })).status, 200);
      assert.equal((await p.services.tokens.authorize(SEED)).status, 'Blocked');
    } finally {
      await p.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    assert.ok(lines.length > 5, `the platform logged (${lines.length} lines)`);
    const leaks = lines.filter((l) => l.includes(SEED) || l.includes(EMAIL));
    assert.deepEqual(leaks, [], 'personal data in the log');
  });
});
