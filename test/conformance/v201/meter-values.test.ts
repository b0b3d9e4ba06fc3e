// OCTT CSMS test cases of functional block J (Meter values): clock-aligned and sampled values,
// in MeterValuesRequest and in TransactionEventRequest, signed values included. Every
// sampledValue array must be stored verbatim (signedMeterValue is evidence for calibration law).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, transactionEvents, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

const VALID = { idToken: '100000C01', type: 'Central' };
const EVSE = { id: 1, connectorId: 1 };

/** One meterValue entry as a station sends it: energy register, power, per-phase voltage. */
const reading = (wh: number, context: string, atS: number, signed = false): Obj => {
  const sign = (what: string) => (signed ? { signedMeterValue: { signedMeterData: Buffer.from(`OCMF|${what}|${wh}|${context}`).toString('base64'), signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' } } : {});
  return { timestamp: ts(atS), sampledValue: [
    { value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' }, context, location: 'Outlet', ...sign('E') },
    { value: 7.36, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W', multiplier: 3 }, context, ...sign('P') },
    { value: 229.87, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' }, context, ...sign('V') },
  ] };
};

describe('OCTT 2.0.1 block J — meter values (CSMS)', () => {
  let p: TestPlatform;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: VALID.idToken, status: 'Accepted' },
  ]);

  const booted = (id: string) => suite.booted(id, 'ocpp2.0.1', [1, 2]);
  const session = transactionEvents;
  /** Reusable state EnergyTransferStarted, with a Transaction.Begin register of 10 kWh. */
  const charging = async (id: string) => {
    const st = await booted(id);
    const ev = session(st, `TX-${id}`);
    await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await ev('Started', 'Authorized', { chargingState: 'Charging' }, { idToken: VALID, evse: EVSE, meterValue: [reading(10_000, 'Transaction.Begin', -60)] });
    return { st, ev, txOf: async () => (await p.repos.transactions.findByRef(id, `TX-${id}`))! };
  };
  const outsideTransactions = (id: string) =>
    p.store.db.selectFrom('meterValues').selectAll().where('stationId', '=', id).where('transactionId', 'is', null).orderBy('id').execute();
  const stored = async (transactionId: number) => (await p.repos.meterValues.listByTransaction(transactionId)).map((r) => [r.context, r.sampledValue]);

  it('TC_J_01_CSMS Clock-aligned Meter Values - No transaction ongoing', async () => {
    const st = await booted('TC_J_01');
    const sent = [0, 1, 2].map((evseId) => ({ evseId, meterValue: [reading(1000 * (evseId + 1), 'Sample.Clock', 0)] }));
    for (const mv of sent) assert.deepEqual(await st.call('MeterValues', mv), {});
    const rows = await outsideTransactions('TC_J_01');
    assert.deepEqual(rows.map((r) => [r.evseId, r.context, r.sampledValue]), sent.map((mv) => [mv.evseId, 'Sample.Clock', mv.meterValue[0]!.sampledValue]));
    assert.equal((await p.repos.transactions.list({ stationId: 'TC_J_01', limit: 5, offset: 0 })).length, 0);
  });

  it('TC_J_02_CSMS Clock-aligned Meter Values - Transaction ongoing', async () => {
    const { st, ev, txOf } = await charging('TC_J_02');
    const station = reading(11_000, 'Sample.Clock', 0);
    assert.deepEqual(await st.call('MeterValues', { evseId: 0, meterValue: [station] }), {});
    const evse = reading(11_500, 'Sample.Clock', 0);
    assert.deepEqual(await ev('Updated', 'MeterValueClock', {}, { evse: EVSE, meterValue: [evse] }), {});
    assert.deepEqual((await outsideTransactions('TC_J_02')).map((r) => [r.evseId, r.context, r.sampledValue]), [[0, 'Sample.Clock', station.sampledValue]],
      'the main meter reading stays outside the transaction');
    const tx = await txOf();
    assert.deepEqual((await stored(tx.id)).at(-1), ['Sample.Clock', evse.sampledValue]);
    assert.deepEqual([tx.chargingState, tx.lastSeqNo], ['Charging', 1]);
  });

  const endedWithClockValues = async (id: string, signed: boolean) => {
    const { ev, txOf } = await charging(id);
    const meterValue = [reading(12_000, 'Sample.Clock', -30, signed), reading(14_000, 'Sample.Clock', -15, signed), reading(15_250, 'Transaction.End', 0, signed)];
    assert.deepEqual(await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' }, { meterValue }), {});
    const tx = await txOf();
    assert.deepEqual([tx.state, tx.meterStartWh, tx.meterStopWh, tx.energyWh], ['ended', 10_000, 15_250, 5_250]);
    assert.deepEqual((await stored(tx.id)).slice(1), meterValue.map((m) => [(m.sampledValue as Obj[])[0]!.context, m.sampledValue]));
  };

  it('TC_J_03_CSMS Clock-aligned Meter Values - EventType Ended', () => endedWithClockValues('TC_J_03', false));

  it('TC_J_04_CSMS Clock-aligned Meter Values - Signed', () => endedWithClockValues('TC_J_04', true));

  it('TC_J_07_CSMS Sampled Meter Values - EventType Started - EVSE known', async () => {
    const st = await booted('TC_J_07');
    const ev = session(st, 'TX-J07');
    await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const begin = reading(42_000, 'Transaction.Begin', 0);
    assert.deepEqual(await ev('Started', 'CablePluggedIn', { chargingState: 'EVConnected' }, { evse: EVSE, meterValue: [begin] }), {});
    const tx = (await p.repos.transactions.findByRef('TC_J_07', 'TX-J07'))!;
    assert.deepEqual([tx.evseId, tx.meterStartWh], [1, 42_000]);
    assert.deepEqual(await stored(tx.id), [['Transaction.Begin', begin.sampledValue]]);
    assert.deepEqual((await p.repos.meterValues.listByTransaction(tx.id)).map((r) => r.evseId), [1]);
  });

  it('TC_J_08_CSMS Sampled Meter Values - Context Transaction.Begin - EVSE not known', async () => {
    const st = await booted('TC_J_08');
    const ev = session(st, 'TX-J08');
    // authorization first: the transaction starts before the EVSE is known
    assert.deepEqual((await st.call('Authorize', { idToken: VALID })).idTokenInfo, { status: 'Accepted' });
    assert.deepEqual((await ev('Started', 'Authorized', {}, { idToken: VALID })).idTokenInfo, { status: 'Accepted' });
    await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 2, connectorId: 1 });
    const begin = reading(5_000, 'Transaction.Begin', 0);
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' }, { evse: { id: 2, connectorId: 1 }, meterValue: [begin] });
    await ev('Updated', 'MeterValuePeriodic', {}, { meterValue: [reading(6_000, 'Sample.Periodic', 0)] });
    const tx = (await p.repos.transactions.findByRef('TC_J_08', 'TX-J08'))!;
    assert.deepEqual([tx.evseId, tx.connectorId, tx.meterStartWh, tx.chargingState], [2, 1, 5_000, 'EVConnected'], 'the EVSE and start register come with the Updated event');
    assert.deepEqual((await p.repos.meterValues.listByTransaction(tx.id)).map((r) => [r.evseId, r.context]), [[2, 'Transaction.Begin'], [2, 'Sample.Periodic']]);
    await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' }, { meterValue: [reading(6_500, 'Transaction.End', 0)] });
    assert.equal((await p.repos.transactions.findByRef('TC_J_08', 'TX-J08'))?.energyWh, 1_500);
  });

  it('TC_J_09_CSMS Sampled Meter Values - EventType Updated', async () => {
    const { ev, txOf } = await charging('TC_J_09');
    const sent = [11_000, 12_000, 13_000].map((wh) => reading(wh, 'Sample.Periodic', 0));
    for (const mv of sent) assert.deepEqual(await ev('Updated', 'MeterValuePeriodic', {}, { meterValue: [mv] }), {});
    const tx = await txOf();
    assert.deepEqual((await stored(tx.id)).slice(1), sent.map((mv) => ['Sample.Periodic', mv.sampledValue]));
    assert.deepEqual([tx.state, tx.lastSeqNo, tx.seqGaps, tx.chargingState], ['active', 3, 0, 'Charging']);
  });

  const endedWithSampledValues = async (id: string, signed: boolean) => {
    const { ev, txOf } = await charging(id);
    const periodic = reading(11_000, 'Sample.Periodic', -10, signed);
    await ev('Updated', 'MeterValuePeriodic', {}, { meterValue: [periodic] });
    const meterValue = [reading(11_800, 'Sample.Periodic', -5, signed), reading(12_345, 'Transaction.End', 0, signed)];
    assert.deepEqual(await ev('Ended', 'StopAuthorized', { chargingState: 'EVConnected', stoppedReason: 'Local' }, { idToken: VALID, meterValue }), {
      idTokenInfo: { status: 'Accepted' },
    });
    const tx = await txOf();
    assert.deepEqual([tx.state, tx.stopReason, tx.meterStopWh, tx.energyWh], ['ended', 'Local', 12_345, 2_345]);
    assert.deepEqual((await stored(tx.id)).slice(1), [periodic, ...meterValue].map((m) => [(m.sampledValue as Obj[])[0]!.context, m.sampledValue]));
    if (signed) {
      const rows = await p.repos.meterValues.listByTransaction(tx.id);
      for (const r of rows.slice(1)) for (const s of r.sampledValue as Obj[]) assert.equal((s.signedMeterValue as Obj).encodingMethod, 'OCMF');
    }
  };

  it('TC_J_10_CSMS Sampled Meter Values - EventType Ended', () => endedWithSampledValues('TC_J_10', false));

  it('TC_J_11_CSMS Sampled Meter Values - Signed', () => endedWithSampledValues('TC_J_11', true));
});
