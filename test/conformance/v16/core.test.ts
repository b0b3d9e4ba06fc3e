// OCPP 1.6J Core profile, CSMS side: the OCTT 1.6 test cases (OCA test-case document,
// sections 3.1–3.13 and 3.20), each played by the test as the charge point over a real socket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, type OcttStation, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

const status = (connectorId: number, s: string, errorCode = 'NoError') => ({ connectorId, status: s, errorCode, timestamp: ts() });
const idTagStatus = (r: Obj) => (r.idTagInfo as Obj).status;

describe('OCTT 1.6 Core profile (CSMS)', () => {
  let p: TestPlatform;
  let n = 0;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: 'OCTT-OK', status: 'Accepted', expiresAt: new Date(Date.now() + 86400_000) },
    { idToken: 'OCTT-EXPIRED', status: 'Expired' },
    { idToken: 'OCTT-BLOCKED', status: 'Blocked' },
  ], { callTimeout: 2000 });
  /** a booted charge point with connectors 0 and 1 Available, as the OCTT prepares it */
  const booted = (): Promise<OcttStation> => suite.booted(`CP16-${++n}`, 'ocpp1.6', [0, 1]);
  /** a charge point in state Charging on connector 1; returns its transaction id */
  const charging = async (cp: OcttStation, idTag = 'OCTT-OK'): Promise<number> => {
    await cp.call('StatusNotification', status(1, 'Preparing'));
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag, meterStart: 100, timestamp: ts() });
    await cp.call('StatusNotification', status(1, 'Charging'));
    return start.transactionId as number;
  };
  const tx = (id: number) => p.repos.transactions.get(id);
  const live = async (cp: OcttStation, connectorId = 1) => (await p.repos.connectors.listByStation(cp.id)).find((c) => c.evseId === connectorId);

  it('TC_001_CSMS Cold Boot Charge Point', async () => {
    const cp = await suite.connect('CP16-BOOT', 'ocpp1.6');
    const boot = await cp.boot();
    assert.equal(boot.status, 'Accepted');
    assert.ok(Number.isInteger(boot.interval) && (boot.interval as number) > 0);
    assert.ok(Math.abs(Date.parse(boot.currentTime as string) - Date.now()) < 5000);
    assert.deepEqual(await cp.call('StatusNotification', status(0, 'Available')), {});
    assert.deepEqual(await cp.call('StatusNotification', status(1, 'Available')), {});
    assert.ok(Date.parse((await cp.call('Heartbeat', {})).currentTime as string) > 0);
    assert.deepEqual((await p.repos.connectors.listByStation(cp.id)).map((c) => [c.evseId, c.status]), [[0, 'Available'], [1, 'Available']]);
    assert.equal((await p.repos.stations.get(cp.id))?.registrationStatus, 'Accepted');
  });

  it('TC_003_CSMS Regular Charging Session - Plugin First', async () => {
    const cp = await booted();
    await cp.call('StatusNotification', status(1, 'Preparing'));
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 0, timestamp: ts() });
    assert.equal(idTagStatus(start), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Charging'));
    const t = await tx(start.transactionId as number);
    assert.deepEqual([t?.state, t?.stationId, t?.evseId, t?.idToken], ['active', cp.id, 1, await p.services.privacy.pseudonym('OCTT-OK')]);
    assert.equal((await live(cp))?.status, 'Charging');
  });

  it('TC_004_1_CSMS Regular Charging Session - Identification First', async () => {
    const cp = await booted();
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Preparing'));
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 0, timestamp: ts() });
    assert.equal(idTagStatus(start), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Charging'));
    assert.equal((await tx(start.transactionId as number))?.state, 'active');
  });

  it('TC_004_2_CSMS Regular Charging Session - Identification First - ConnectionTimeOut', async () => {
    const cp = await booted();
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Preparing'));
    await cp.call('StatusNotification', status(1, 'Available'));
    assert.deepEqual(await p.repos.transactions.listActive(cp.id), []);
    assert.equal((await live(cp))?.status, 'Available');
  });

  it('TC_005_1_CSMS EV Side Disconnected', async () => {
    const cp = await booted();
    const id = await charging(cp);
    await cp.call('StatusNotification', status(1, 'SuspendedEV'));
    await cp.call('StopTransaction', { transactionId: id, idTag: 'OCTT-OK', meterStop: 2100, timestamp: ts(), reason: 'EVDisconnected' });
    await cp.call('StatusNotification', status(1, 'Finishing'));
    await cp.call('StatusNotification', status(1, 'Available'));
    const t = await tx(id);
    assert.deepEqual([t?.state, t?.stopReason, t?.energyWh], ['ended', 'EVDisconnected', 2000]);
  });

  it('TC_007_CSMS Regular Start Charging Session - Cached Id', async () => {
    const cp = await booted();
    await cp.call('StatusNotification', status(1, 'Preparing'));
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 0, timestamp: ts() });
    assert.equal(idTagStatus(start), 'Accepted');
    assert.equal((await tx(start.transactionId as number))?.state, 'active');
  });

  it('TC_061_CSMS Clear Authorization Data in Authorization Cache', async () => {
    const cp = await booted();
    const { action, payload, record } = await cp.command({ kind: 'clearCache' }, { status: 'Accepted' });
    assert.deepEqual([action, payload], ['ClearCache', {}]);
    assert.equal(record.status, 'Accepted');
  });

  it('TC_010_CSMS Remote Start Charging Session - Cable Plugged in First', async () => {
    const cp = await booted();
    await cp.call('StatusNotification', status(1, 'Preparing'));
    const { action, payload, record } = await cp.command({ kind: 'remoteStart', idToken: 'OCTT-OK', evseId: 1 }, { status: 'Accepted' });
    assert.deepEqual([action, payload], ['RemoteStartTransaction', { idTag: 'OCTT-OK', connectorId: 1 }]);
    assert.equal(record.status, 'Accepted');
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 0, timestamp: ts() });
    assert.equal(idTagStatus(start), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Charging'));
    assert.equal((await tx(start.transactionId as number))?.state, 'active');
  });

  it('TC_011_1_CSMS Remote Start Charging Session - Remote Start First', async () => {
    const cp = await booted();
    const { payload } = await cp.command({ kind: 'remoteStart', idToken: 'OCTT-OK' }, { status: 'Accepted' });
    assert.deepEqual(payload, { idTag: 'OCTT-OK' });
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Preparing'));
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 0, timestamp: ts() });
    await cp.call('StatusNotification', status(1, 'Charging'));
    assert.equal((await tx(start.transactionId as number))?.state, 'active');
  });

  it('TC_011_2_CSMS Remote Start Charging Session - Time Out', async () => {
    const cp = await booted();
    assert.equal((await cp.command({ kind: 'remoteStart', idToken: 'OCTT-OK' }, { status: 'Accepted' })).record.status, 'Accepted');
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Preparing'));
    await cp.call('StatusNotification', status(1, 'Available'));
    assert.deepEqual(await p.repos.transactions.listActive(cp.id), []);
  });

  it('TC_012_CSMS Remote Stop Charging Session', async () => {
    const cp = await booted();
    const id = await charging(cp);
    const { action, payload, record } = await cp.command({ kind: 'remoteStop', transactionRef: String(id) }, { status: 'Accepted' });
    assert.deepEqual([action, payload, record.status], ['RemoteStopTransaction', { transactionId: id }, 'Accepted']);
    await cp.call('StopTransaction', { transactionId: id, idTag: 'OCTT-OK', meterStop: 600, timestamp: ts(), reason: 'Remote' });
    await cp.call('StatusNotification', status(1, 'Finishing'));
    await cp.call('StatusNotification', status(1, 'Available'));
    assert.deepEqual([(await tx(id))?.state, (await tx(id))?.stopReason], ['ended', 'Remote']);
  });

  for (const [tc, type] of [['TC_013_CSMS Hard Reset', 'Hard'], ['TC_014_CSMS Soft Reset', 'Soft']] as const) {
    it(tc, async () => {
      const cp = await booted();
      const { action, payload, record } = await cp.command({ kind: 'reset', mode: type === 'Hard' ? 'hard' : 'soft' }, { status: 'Accepted' });
      assert.deepEqual([action, payload, record.status], ['Reset', { type }, 'Accepted']);
      const again = await suite.reconnect(cp);
      assert.equal((await again.boot()).status, 'Accepted');
      await again.call('StatusNotification', status(0, 'Available'));
      await again.call('StatusNotification', status(1, 'Available'));
      assert.equal((await live(again))?.status, 'Available');
    });
  }

  it('TC_017_1_CSMS Unlock connector - no charging session running (Not fixed cable)', async () => {
    const cp = await booted();
    const { action, payload, record } = await cp.command({ kind: 'unlockConnector', evseId: 1, connectorId: 1 }, { status: 'Unlocked' });
    assert.deepEqual([action, payload, record.status], ['UnlockConnector', { connectorId: 1 }, 'Unlocked']);
  });

  it('TC_017_2_CSMS Unlock connector - no charging session running (Fixed cable)', async () => {
    const cp = await booted();
    const { record } = await cp.command({ kind: 'unlockConnector', evseId: 1, connectorId: 1 }, { status: 'NotSupported' });
    assert.equal(record.status, 'NotSupported');
    assert.match(record.failure ?? '', /NotSupported/);
  });

  it('TC_018_1_CSMS Unlock Connector - With Charging Session (Not fixed cable)', async () => {
    const cp = await booted();
    const id = await charging(cp);
    assert.equal((await cp.command({ kind: 'unlockConnector', evseId: 1, connectorId: 1 }, { status: 'Unlocked' })).record.status, 'Unlocked');
    await cp.call('StatusNotification', status(1, 'Finishing'));
    await cp.call('StopTransaction', { transactionId: id, meterStop: 300, timestamp: ts(), reason: 'UnlockCommand' });
    await cp.call('StatusNotification', status(1, 'Available'));
    assert.equal((await tx(id))?.stopReason, 'UnlockCommand');
  });

  it('TC_019_1_CSMS Retrieve all configuration keys', async () => {
    const cp = await booted();
    const keys = [{ key: 'HeartbeatInterval', readonly: false, value: '300' }, { key: 'SupportedFeatureProfiles', readonly: true, value: 'Core' }];
    const { action, payload, record } = await cp.command({ kind: 'getConfiguration' }, { configurationKey: keys });
    assert.deepEqual([action, payload], ['GetConfiguration', {}]);
    assert.deepEqual(record.response, { configurationKey: keys });
  });

  it('TC_019_2_CSMS Retrieve specific configuration key', async () => {
    const cp = await booted();
    const { payload, record } = await cp.command({ kind: 'getConfiguration', keys: ['SupportedFeatureProfiles'] },
      { configurationKey: [{ key: 'SupportedFeatureProfiles', readonly: true, value: 'Core,RemoteTrigger' }], unknownKey: [] });
    assert.deepEqual(payload, { key: ['SupportedFeatureProfiles'] });
    assert.equal(((record.response?.configurationKey as Obj[])[0])?.value, 'Core,RemoteTrigger');
  });

  it('TC_021_CSMS Change/set Configuration', async () => {
    const cp = await booted();
    const { action, payload, record } = await cp.command({ kind: 'changeConfiguration', key: 'MeterValueSampleInterval', value: '60' }, { status: 'Accepted' });
    assert.deepEqual([action, payload, record.status], ['ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' }, 'Accepted']);
  });

  for (const [tc, idTag, expected] of [
    ['TC_023_1_CSMS Start Charging Session - Authorize invalid', 'OCTT-NOBODY', 'Invalid'],
    ['TC_023_2_CSMS Start Charging Session - Authorize expired', 'OCTT-EXPIRED', 'Expired'],
    ['TC_023_3_CSMS Start Charging Session - Authorize blocked', 'OCTT-BLOCKED', 'Blocked'],
  ] as const) {
    it(tc, async () => {
      const cp = await booted();
      await cp.call('StatusNotification', status(1, 'Preparing'));
      assert.equal(idTagStatus(await cp.call('Authorize', { idTag })), expected);
      assert.deepEqual(await p.repos.transactions.listActive(cp.id), []);
    });
  }

  it('TC_024_CSMS Start Charging Session Lock Failure', async () => {
    const cp = await booted();
    assert.equal(idTagStatus(await cp.call('Authorize', { idTag: 'OCTT-OK' })), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Preparing'));
    assert.deepEqual(await cp.call('StatusNotification', status(1, 'Faulted', 'ConnectorLockFailure')), {});
    const c = await live(cp);
    assert.deepEqual([c?.status, c?.errorCode], ['Faulted', 'ConnectorLockFailure']);
  });

  it('TC_026_CSMS Remote Start Charging Session - Rejected', async () => {
    const cp = await booted();
    const { record } = await cp.command({ kind: 'remoteStart', idToken: 'OCTT-OK', evseId: 1 }, { status: 'Rejected' });
    assert.deepEqual([record.status, record.response], ['Rejected', { status: 'Rejected' }]);
  });

  it('TC_028_CSMS Remote Stop Transaction - Rejected', async () => {
    const cp = await booted();
    const id = await charging(cp);
    const { record } = await cp.command({ kind: 'remoteStop', transactionRef: String(id + 1000) }, { status: 'Rejected' });
    assert.equal(record.status, 'Rejected');
    assert.equal((await tx(id))?.state, 'active');
  });

  it('TC_030_CSMS Unlock Connector - Unlock Failure', async () => {
    const cp = await booted();
    assert.equal((await cp.command({ kind: 'unlockConnector', evseId: 1, connectorId: 1 }, { status: 'UnlockFailed' })).record.status, 'UnlockFailed');
  });

  it('TC_031_CSMS Unlock Connector - Unknown Connector', async () => {
    const cp = await booted();
    const { payload, record } = await cp.command({ kind: 'unlockConnector', evseId: 9, connectorId: 1 }, { status: 'NotSupported' });
    assert.deepEqual([payload, record.status], [{ connectorId: 9 }, 'NotSupported']);
  });

  it('TC_032_1_CSMS Power failure boot charging point-configured to stop transaction(s)', async () => {
    const cp = await booted();
    const id = await charging(cp);
    const again = await suite.reconnect(cp);
    assert.equal((await again.boot()).status, 'Accepted');
    await again.call('StatusNotification', status(0, 'Available'));
    await again.call('StatusNotification', status(1, 'Finishing'));
    const stop = await again.call('StopTransaction', { transactionId: id, idTag: 'OCTT-OK', meterStop: 900, timestamp: ts(-1), reason: 'PowerLoss' });
    assert.equal(idTagStatus(stop), 'Accepted');
    const t = await tx(id);
    assert.deepEqual([t?.state, t?.stopReason, t?.meterStopWh], ['ended', 'PowerLoss', 900]);
  });

  it('TC_037_1_CSMS Offline Start Transaction - Valid IdTag', async () => {
    const cp = await booted();
    const startedAt = ts(-600);
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 0, timestamp: startedAt });
    assert.equal(idTagStatus(start), 'Accepted');
    await cp.call('StatusNotification', status(1, 'Charging'));
    assert.equal((await tx(start.transactionId as number))?.startedAt.toISOString(), startedAt);
  });

  it('TC_037_3_CSMS Offline Start Transaction - Invalid IdTag', async () => {
    const cp = await booted();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-NOBODY', meterStart: 0, timestamp: ts(-600) });
    assert.equal(idTagStatus(start), 'Invalid');
    assert.ok(Number.isInteger(start.transactionId), 'a transaction id is given even for an invalid idTag');
    await cp.call('StatusNotification', status(1, 'Charging'));
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 50, timestamp: ts(), reason: 'DeAuthorized' });
    await cp.call('StatusNotification', status(1, 'Finishing'));
    assert.deepEqual([(await tx(start.transactionId as number))?.state, (await tx(start.transactionId as number))?.stopReason], ['ended', 'DeAuthorized']);
  });

  it('TC_039_CSMS Offline Transaction', async () => {
    const cp = await booted();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OCTT-OK', meterStart: 1000, timestamp: ts(-900) });
    assert.equal(idTagStatus(start), 'Accepted');
    const endedAt = ts(-300);
    await cp.call('StopTransaction', { transactionId: start.transactionId, idTag: 'OCTT-OK', meterStop: 4000, timestamp: endedAt, reason: 'Local' });
    const t = await tx(start.transactionId as number);
    assert.deepEqual([t?.state, t?.energyWh, t?.stopReason, t?.endedAt?.toISOString()], ['ended', 3000, 'Local', endedAt]);
  });

  it('TC_040_1_CSMS Configuration keys - NotSupported', async () => {
    const cp = await booted();
    const { record } = await cp.command({ kind: 'changeConfiguration', key: 'OcttUnknownKey', value: '1' }, { status: 'NotSupported' });
    assert.equal(record.status, 'NotSupported');
  });

  it('TC_040_2_CSMS Configuration keys - Invalid value', async () => {
    const cp = await booted();
    const { record } = await cp.command({ kind: 'changeConfiguration', key: 'MeterValueSampleInterval', value: '-1' }, { status: 'Rejected' });
    assert.equal(record.status, 'Rejected');
  });

  it('TC_054_CSMS Trigger Message', async () => {
    const cp = await booted();
    const triggered: Array<[string, number | undefined, string, Obj]> = [
      ['MeterValues', 1, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: ts(), sampledValue: [{ value: '1234', context: 'Trigger' }] }] }],
      ['Heartbeat', undefined, 'Heartbeat', {}],
      ['StatusNotification', 1, 'StatusNotification', status(1, 'Available')],
    ];
    for (const [message, connectorId, action, request] of triggered) {
      const { action: sent, payload, record } = await cp.command({ kind: 'triggerMessage', message, evseId: connectorId }, { status: 'Accepted' });
      assert.deepEqual([sent, payload, record.status], ['TriggerMessage', { requestedMessage: message, ...(connectorId !== undefined && { connectorId }) }, 'Accepted']);
      await cp.call(action, request);
    }
    const mv = await p.repos.meterValues.listByStation(cp.id, { limit: 5 });
    assert.deepEqual(mv.map((m) => [m.evseId, m.transactionId, m.context]), [[1, null, 'Trigger']]);
  });

  it('TC_055_CSMS Trigger Message - Rejected', async () => {
    const cp = await booted();
    const { record } = await cp.command({ kind: 'triggerMessage', message: 'MeterValues', evseId: 1 }, { status: 'Rejected' });
    assert.equal(record.status, 'Rejected');
  });

  it('TC_064_CSMS Data Transfer to a Central System', async () => {
    const cp = await booted();
    const r = await cp.call('DataTransfer', { vendorId: 'com.octt.unknown', messageId: 'x', data: 'y' });
    assert.equal(r.status, 'UnknownVendorId');
  });
});
