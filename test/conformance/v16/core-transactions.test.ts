// OCPP 1.6 Core: transactions can never stay open for ever (zombie transactions), CSMS side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RawClient } from '../../helpers/raw-client.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { callOk, rawStation, until, type Obj } from '../helpers.js';

const now = () => new Date().toISOString();
const energy = (wh: number) => [{ timestamp: now(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }];

describe('OCPP 1.6 zombie transactions (CSMS)', () => {
  let p: TestPlatform;
  let c: RawClient;
  const id = 'Z16';
  const start = async (connectorId: number, meterStart: number) =>
    (await callOk(c, 'StartTransaction', { connectorId, idTag: 'TAG-Z', meterStart, timestamp: now() })).transactionId as number;
  const securityEvents = async () => (await p.repos.securityEvents.list({ stationId: id, limit: 50 })).map((e) => e.type);

  before(async () => {
    // a one-second grace period keeps the reboot case fast
    p = await startTestPlatform({ zombieGrace: 1 });
    await p.repos.tokens.upsert({ idToken: 'TAG-Z', status: 'Accepted' });
    c = await rawStation(p, id, 'ocpp1.6');
    await callOk(c, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('a new transaction on a connector with an open one closes the old one (SupersededByNewTransaction, closed by csms)', async () => {
    const old = await start(1, 1000);
    await callOk(c, 'MeterValues', { connectorId: 1, transactionId: old, meterValue: energy(2000) });
    const fresh = await start(1, 2000);
    const closed = await p.repos.transactions.get(old);
    assert.deepEqual([closed?.state, closed?.stopReason, closed?.closedBy, closed?.meterStopWh, closed?.energyWh], ['ended', 'SupersededByNewTransaction', 'csms', 2000, 1000]);
    assert.equal((await p.repos.transactions.get(fresh))?.state, 'active');

    // the station's own late StopTransaction replaces the platform's end data and is no attack
    await callOk(c, 'StopTransaction', { transactionId: old, meterStop: 2100, timestamp: now(), reason: 'EVDisconnected' });
    const replaced = await p.repos.transactions.get(old);
    assert.deepEqual([replaced?.stopReason, replaced?.closedBy, replaced?.meterStopWh, replaced?.energyWh], ['EVDisconnected', 'station', 2100, 1100]);
    assert.ok(!(await securityEvents()).includes('TransactionAlreadyEnded'));

    // a stop for a transaction the station itself already ended stays a security event
    await callOk(c, 'StopTransaction', { transactionId: old, meterStop: 2200, timestamp: now() });
    assert.ok((await securityEvents()).includes('TransactionAlreadyEnded'));
    assert.equal((await p.repos.transactions.get(old))?.meterStopWh, 2100);
    await callOk(c, 'StopTransaction', { transactionId: fresh, meterStop: 2500, timestamp: now() });
  });

  it('reboot in the middle of a transaction: what the station does not resume is closed StationRebooted after the grace period', async () => {
    const silent = await start(1, 5000);
    const resumed = await start(2, 7000);
    await callOk(c, 'MeterValues', { connectorId: 1, transactionId: silent, meterValue: energy(5400) });
    await callOk(c, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    await callOk(c, 'MeterValues', { connectorId: 2, transactionId: resumed, meterValue: energy(7300) });
    assert.equal((await p.repos.transactions.get(silent))?.state, 'active', 'nothing is closed before the grace period');
    await until('the silent transaction to be closed', async () => (await p.repos.transactions.get(silent))?.state === 'ended', 5000);
    const closed = await p.repos.transactions.get(silent);
    assert.deepEqual([closed?.stopReason, closed?.closedBy, closed?.meterStopWh, closed?.energyWh], ['StationRebooted', 'csms', 5400, 400]);
    assert.equal((await p.repos.transactions.get(resumed))?.state, 'active', 'a transaction the station mentioned after the boot stays open');

    // the station's offline-queued StopTransaction arrives later and wins
    await callOk(c, 'StopTransaction', { transactionId: silent, meterStop: 5600, timestamp: now(), reason: 'Reboot' });
    const replaced = await p.repos.transactions.get(silent);
    assert.deepEqual([replaced?.stopReason, replaced?.closedBy, replaced?.meterStopWh], ['Reboot', 'station', 5600]);
    const stop = await callOk(c, 'StopTransaction', { transactionId: resumed, meterStop: 7400, timestamp: now(), idTag: 'TAG-Z' });
    assert.equal((stop.idTagInfo as Obj).status, 'Accepted');
    assert.equal((await p.repos.transactions.get(resumed))?.closedBy, 'station');
  });
});
