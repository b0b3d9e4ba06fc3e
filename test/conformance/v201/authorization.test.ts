// OCTT CSMS test cases of functional block C (Authorization). The test plays the OCTT tool as
// the station; token fixtures are the CSMS's token store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, OcttStation, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

describe('OCTT 2.0.1 block C — authorization (CSMS)', () => {
  let p: TestPlatform;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: '100000C01', status: 'Accepted' },
    { idToken: '100000C02', status: 'Invalid' },
    { idToken: 'C-BLOCKED', status: 'Blocked' },
    { idToken: 'C-EXPIRED', status: 'Accepted', expiresAt: new Date(Date.now() - 3600_000) },
    { idToken: 'C-GROUP-1', status: 'Accepted', groupIdToken: 'GROUP_ID' },
    { idToken: 'C-GROUP-2', status: 'Accepted', groupIdToken: 'GROUP_ID' },
    { idToken: 'C-MASTER', status: 'Accepted', groupIdToken: 'MASTER_PASS' },
  ]);

  const booted = (id: string) => suite.booted(id, 'ocpp2.0.1', [1, 2]);
  const token = (idToken: string, type = 'Central') => ({ idToken, type });
  const authorize = async (st: OcttStation, idToken: string) => (await st.call('Authorize', { idToken: token(idToken) })).idTokenInfo as Obj;
  const txEvent = (st: OcttStation, eventType: string, seqNo: number, triggerReason: string, transactionInfo: Obj, extra: Obj = {}) =>
    st.call('TransactionEvent', { eventType, timestamp: ts(), triggerReason, seqNo, transactionInfo, ...extra });
  const startCharging = async (st: OcttStation, txId: string, idToken: string, evseId = 1) => {
    await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId, connectorId: 1 });
    return txEvent(st, 'Started', 0, 'Authorized', { transactionId: txId, chargingState: 'Charging' }, { idToken: token(idToken), evse: { id: evseId, connectorId: 1 } });
  };
  const txCount = async (id: string) => (await p.repos.transactions.list({ stationId: id, limit: 10, offset: 0 })).length;

  it('TC_C_02_CSMS Local start transaction - Authorization Invalid/Unknown', async () => {
    const st = await booted('TC_C_02');
    assert.deepEqual(await authorize(st, 'NOT-KNOWN-TO-CSMS'), { status: 'Unknown' });
    assert.equal((await authorize(st, '100000C02')).status, 'Invalid');
    assert.equal(await txCount('TC_C_02'), 0, 'no transaction is started');
  });

  it('TC_C_06_CSMS Local start transaction - Authorization Blocked', async () => {
    const st = await booted('TC_C_06');
    assert.equal((await authorize(st, 'C-BLOCKED')).status, 'Blocked');
    assert.equal(await txCount('TC_C_06'), 0);
  });

  it('TC_C_07_CSMS Local start transaction - Authorization Expired', async () => {
    const st = await booted('TC_C_07');
    const info = await authorize(st, 'C-EXPIRED');
    assert.equal(info.status, 'Expired');
    assert.ok(Date.parse(info.cacheExpiryDateTime as string) < Date.now(), 'the expiry told to the station is in the past');
    assert.equal(await txCount('TC_C_07'), 0);
  });

  it('TC_C_08_CSMS Authorization through authorization cache - Accepted', async () => {
    const st = await booted('TC_C_08');
    // no AuthorizeRequest: the token comes from the station's cache
    const res = await startCharging(st, 'TX-C08', '100000C01');
    assert.deepEqual(res.idTokenInfo, { status: 'Accepted' });
    const tx = await p.repos.transactions.findByRef('TC_C_08', 'TX-C08');
    assert.deepEqual([tx?.state, tx?.idToken, tx?.evseId, tx?.chargingState], ['active', await p.services.privacy.pseudonym('100000C01'), 1, 'Charging']);
  });

  it('TC_C_20_CSMS Authorization through authorization cache - Invalid', async () => {
    const st = await booted('TC_C_20');
    const res = await startCharging(st, 'TX-C20', '100000C02');
    assert.ok(['Invalid', 'Unknown'].includes((res.idTokenInfo as Obj).status as string), `got ${JSON.stringify(res.idTokenInfo)}`);
    // the transaction is recorded all the same (a TransactionEventRequest cannot be refused); the station deauthorizes it
    await txEvent(st, 'Ended', 1, 'Deauthorized', { transactionId: 'TX-C20', chargingState: 'EVConnected', stoppedReason: 'DeAuthorized' });
    const tx = await p.repos.transactions.findByRef('TC_C_20', 'TX-C20');
    assert.deepEqual([tx?.state, tx?.idToken, tx?.stopReason], ['ended', await p.services.privacy.pseudonym('100000C02'), 'DeAuthorized']);
  });

  it('TC_C_37_CSMS Clear Authorization Data in Authorization Cache - Accepted', async () => {
    const st = await booted('TC_C_37');
    const { action, payload, record } = await st.command({ kind: 'clearCache' }, { status: 'Accepted' });
    assert.deepEqual([action, payload], ['ClearCache', {}]);
    assert.deepEqual([record.status, record.action, record.response, record.failure], ['Accepted', 'ClearCache', { status: 'Accepted' }, null]);
    assert.equal((await p.services.commands.list('TC_C_37', { kind: 'clearCache' }))[0]?.status, 'Accepted');
  });

  it('TC_C_38_CSMS Clear Authorization Data in Authorization Cache - Rejected', async () => {
    const st = await booted('TC_C_38');
    const { record } = await st.command({ kind: 'clearCache' }, { status: 'Rejected' });
    assert.equal(record.status, 'Rejected');
    assert.deepEqual(record.response, { status: 'Rejected' });
    assert.match(record.failure ?? '', /^Rejected: /);
  });

  it('TC_C_39_CSMS Authorization by GroupId - Success', async () => {
    const st = await booted('TC_C_39');
    const group = { idToken: 'GROUP_ID', type: 'Central' };
    assert.deepEqual(await authorize(st, 'C-GROUP-1'), { status: 'Accepted', groupIdToken: group });
    assert.deepEqual((await startCharging(st, 'TX-C39', 'C-GROUP-1')).idTokenInfo, { status: 'Accepted', groupIdToken: group });
    // a second token of the same group stops the transaction
    assert.deepEqual(await authorize(st, 'C-GROUP-2'), { status: 'Accepted', groupIdToken: group });
    const stop = await txEvent(st, 'Updated', 1, 'StopAuthorized', { transactionId: 'TX-C39', chargingState: 'EVConnected' }, { idToken: token('C-GROUP-2') });
    assert.deepEqual(stop.idTokenInfo, { status: 'Accepted', groupIdToken: group });
    await txEvent(st, 'Ended', 2, 'EVCommunicationLost', { transactionId: 'TX-C39', chargingState: 'Idle', stoppedReason: 'Local' });
    const tx = await p.repos.transactions.findByRef('TC_C_39', 'TX-C39');
    assert.deepEqual([tx?.state, tx?.idToken, tx?.stopReason, tx?.lastSeqNo], ['ended', await p.services.privacy.pseudonym('C-GROUP-1'), 'Local', 2], 'the transaction keeps the token that started it');
  });

  it('TC_C_40_CSMS Authorization by GroupId - Success with Local Authorization List', async () => {
    const st = await booted('TC_C_40');
    const group = { idToken: 'GROUP_ID', type: 'Central' };
    // both tokens are in the station's local list: no AuthorizeRequest, the CSMS answers in the TransactionEventResponses
    assert.deepEqual((await startCharging(st, 'TX-C40', 'C-GROUP-1')).idTokenInfo, { status: 'Accepted', groupIdToken: group });
    const end = await txEvent(st, 'Ended', 1, 'StopAuthorized', { transactionId: 'TX-C40', chargingState: 'EVConnected', stoppedReason: 'Local' }, { idToken: token('C-GROUP-2') });
    assert.deepEqual(end.idTokenInfo, { status: 'Accepted', groupIdToken: group });
    const tx = await p.repos.transactions.findByRef('TC_C_40', 'TX-C40');
    assert.deepEqual([tx?.state, tx?.idToken, tx?.stopReason], ['ended', await p.services.privacy.pseudonym('C-GROUP-1'), 'Local']);
  });

  const masterPass = { idToken: 'MASTER_PASS', type: 'Central' };

  it('TC_C_47_CSMS Stop Transaction with a Master Pass - With UI - All transactions', async () => {
    const st = await booted('TC_C_47');
    await startCharging(st, 'TX-C47-1', '100000C01', 1);
    await startCharging(st, 'TX-C47-2', 'C-GROUP-1', 2);
    assert.deepEqual(await authorize(st, 'C-MASTER'), { status: 'Accepted', groupIdToken: masterPass });
    for (const txId of ['TX-C47-1', 'TX-C47-2']) {
      const res = await txEvent(st, 'Ended', 1, 'StopAuthorized', { transactionId: txId, chargingState: 'EVConnected', stoppedReason: 'MasterPass' }, { idToken: token('C-MASTER') });
      assert.deepEqual(res.idTokenInfo, { status: 'Accepted', groupIdToken: masterPass });
    }
    const txs = await p.repos.transactions.list({ stationId: 'TC_C_47', limit: 10, offset: 0 });
    assert.deepEqual(txs.map((t) => [t.transactionRef, t.state, t.stopReason, t.idToken]).sort(), [
      ['TX-C47-1', 'ended', 'MasterPass', await p.services.privacy.pseudonym('100000C01')], ['TX-C47-2', 'ended', 'MasterPass', await p.services.privacy.pseudonym('C-GROUP-1')],
    ]);
  });

  it('TC_C_48_CSMS Stop Transaction with a Master Pass - With UI - Specific transactions', async () => {
    const st = await booted('TC_C_48');
    await startCharging(st, 'TX-C48-1', '100000C01', 1);
    await startCharging(st, 'TX-C48-2', 'C-GROUP-1', 2);
    assert.deepEqual(await authorize(st, 'C-MASTER'), { status: 'Accepted', groupIdToken: masterPass });
    // the user picks EVSE 2 only
    await txEvent(st, 'Ended', 1, 'StopAuthorized', { transactionId: 'TX-C48-2', chargingState: 'EVConnected', stoppedReason: 'MasterPass' }, { idToken: token('C-MASTER') });
    assert.equal((await p.repos.transactions.findByRef('TC_C_48', 'TX-C48-1'))?.state, 'active');
    const stopped = await p.repos.transactions.findByRef('TC_C_48', 'TX-C48-2');
    assert.deepEqual([stopped?.state, stopped?.stopReason], ['ended', 'MasterPass']);
  });

  it('TC_C_49_CSMS Stop Transaction with a Master Pass - Without UI', async () => {
    const st = await booted('TC_C_49');
    await startCharging(st, 'TX-C49', '100000C01');
    assert.deepEqual(await authorize(st, 'C-MASTER'), { status: 'Accepted', groupIdToken: masterPass });
    await txEvent(st, 'Ended', 1, 'StopAuthorized', { transactionId: 'TX-C49', chargingState: 'EVConnected', stoppedReason: 'MasterPass' }, { idToken: token('C-MASTER') });
    const tx = await p.repos.transactions.findByRef('TC_C_49', 'TX-C49');
    assert.deepEqual([tx?.state, tx?.stopReason, tx?.idToken], ['ended', 'MasterPass', await p.services.privacy.pseudonym('100000C01')]);
  });
});
