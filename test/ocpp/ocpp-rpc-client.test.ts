// Drives the CSMS with an independent OCPP-J implementation from npm (ocpp-rpc, in strict
// mode with its own copy of the schemas), so our server is not only tested by our own client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RPCClient } from 'ocpp-rpc';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

type Obj = Record<string, unknown>;
const ts = () => new Date().toISOString();

describe('independent client: ocpp-rpc in strict mode', () => {
  let p: TestPlatform;
  const passwords = new Map<string, string>();
  before(async () => {
    p = await startTestPlatform();
    passwords.set('RPC-16', await p.addStation('RPC-16'));
    passwords.set('RPC-201', await p.addStation('RPC-201'));
    await p.repos.tokens.upsert({ idToken: 'RPC-TAG', status: 'Accepted' });
  });
  after(() => p.stop());

  // ocpp-rpc's typings list every option as required; the library fills in defaults.
  const client = (identity: string, protocol: string) => new RPCClient({
    endpoint: p.ocppUrl, identity, password: passwords.get(identity)!, protocols: [protocol], strictMode: true, reconnect: false,
  } as ConstructorParameters<typeof RPCClient>[0]);

  it('OCPP 1.6: boot, status, authorize, a transaction with meter values, and a remote command', async () => {
    const cli = client('RPC-16', 'ocpp1.6');
    cli.handle('ClearCache', async () => ({ status: 'Accepted' }));
    await cli.connect();
    try {
      assert.equal(((await cli.call('BootNotification', { chargePointVendor: 'RPC', chargePointModel: 'Strict' })) as Obj).status, 'Accepted');
      await cli.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: ts() });
      assert.equal((((await cli.call('Authorize', { idTag: 'RPC-TAG' })) as Obj).idTagInfo as Obj).status, 'Accepted');
      const { transactionId } = (await cli.call('StartTransaction', { connectorId: 1, idTag: 'RPC-TAG', meterStart: 100, timestamp: ts() })) as { transactionId: number };
      await cli.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: ts(), sampledValue: [{ value: '350', unit: 'Wh' }] }] });
      await cli.call('StopTransaction', { transactionId, meterStop: 600, timestamp: ts(), reason: 'Local' });
      const tx = await p.repos.transactions.get(transactionId);
      assert.deepEqual([tx?.state, tx?.energyWh], ['ended', 500]);
      assert.equal((await p.bus.send('RPC-16', { kind: 'clearCache' })).status, 'Accepted');
    } finally {
      await cli.close();
    }
  });

  it('OCPP 2.0.1: boot, authorize, TransactionEvent lifecycle, GetVariables', async () => {
    const cli = client('RPC-201', 'ocpp2.0.1');
    cli.handle('GetVariables', async ({ params }) => ({
      getVariableResult: (params as { getVariableData: Array<{ component: Obj; variable: Obj }> }).getVariableData
        .map((d) => ({ attributeStatus: 'Accepted', attributeValue: '300', component: d.component, variable: d.variable })),
    }));
    await cli.connect();
    try {
      assert.equal(((await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'S', vendorName: 'RPC' } })) as Obj).status, 'Accepted');
      assert.equal((((await cli.call('Authorize', { idToken: { idToken: 'RPC-TAG', type: 'ISO14443' } })) as Obj).idTokenInfo as Obj).status, 'Accepted');
      const ev = (eventType: string, seqNo: number, kWh: number) => cli.call('TransactionEvent', {
        eventType, seqNo, timestamp: ts(), triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId: 'RPC-TX' },
        evse: { id: 1, connectorId: 1 }, meterValue: [{ timestamp: ts(), sampledValue: [{ value: kWh, unitOfMeasure: { unit: 'kWh' } }] }],
      });
      await ev('Started', 0, 1);
      await ev('Updated', 1, 2);
      await ev('Ended', 2, 4);
      const tx = await p.repos.transactions.findByRef('RPC-201', 'RPC-TX');
      assert.deepEqual([tx?.state, tx?.energyWh], ['ended', 3000]);
      const r = await p.bus.send('RPC-201', { kind: 'getVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }] });
      assert.equal(((r.response.getVariableResult as Obj[])[0] as Obj).attributeValue, '300');
    } finally {
      await cli.close();
    }
  });
});
