// OCTT CSMS test cases of functional block P (DataTransfer) and customData. The test plays the
// OCTT tool as the station.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

const VALID = { idToken: '100000C01', type: 'Central' };

describe('OCTT 2.0.1 block P — data transfer (CSMS)', () => {
  let p: TestPlatform;
  const seen: Array<[string | undefined, unknown, string]> = [];
  const suite = octtSuite((platform) => {
    p = platform;
    // a vendor the CSMS knows, with one message it understands
    p.services.dataTransfer.register('org.ov2x.known', async (messageId, data, stationId) => {
      seen.push([messageId, data, stationId]);
      return messageId === 'Ping' ? { status: 'Accepted', data: 'Pong' } : { status: 'UnknownMessageId' };
    });
  }, [
    { idToken: VALID.idToken, status: 'Accepted' },
  ]);

  const booted = (id: string) => suite.booted(id, 'ocpp2.0.1', []);

  it('TC_P_02_CSMS Data Transfer to CSMS - Rejected/Unknown', async () => {
    const st = await booted('TC_P_02');
    const res = await st.call('DataTransfer', { vendorId: 'tzi.app', messageId: 'TestMessage', data: 'payload' });
    assert.deepEqual(res, { status: 'UnknownVendorId' });
    // a known vendor with a message it does not know
    assert.deepEqual(await st.call('DataTransfer', { vendorId: 'org.ov2x.known', messageId: 'TestMessage' }), { status: 'UnknownMessageId' });
    assert.deepEqual(seen.at(-1), ['TestMessage', undefined, 'TC_P_02'], 'the vendor handler was asked, with the station id');
    // the vendor's own message still works on the same connection
    assert.deepEqual(await st.call('DataTransfer', { vendorId: 'org.ov2x.known', messageId: 'Ping', data: { n: 1 } }), { status: 'Accepted', data: 'Pong' });
    assert.deepEqual(seen.at(-1), ['Ping', { n: 1 }, 'TC_P_02']);
  });

  it('TC_P_03_CSMS CustomData - Receive custom data', async () => {
    const st = await booted('TC_P_03');
    const customData = { vendorId: 'tzi.app', customField: 'value', nested: { n: 1 } };
    assert.deepEqual(await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1, customData }), {});
    const res = await st.call('TransactionEvent', {
      eventType: 'Started', timestamp: ts(), triggerReason: 'Authorized', seqNo: 0, customData,
      transactionInfo: { transactionId: 'TX-P03', chargingState: 'Charging', customData },
      idToken: { ...VALID, customData }, evse: { id: 1, connectorId: 1, customData },
    });
    assert.deepEqual(res.idTokenInfo, { status: 'Accepted' }, 'customData is ignored, the message is handled normally');
    const tx = await p.repos.transactions.findByRef('TC_P_03', 'TX-P03');
    assert.deepEqual([tx?.state, tx?.idToken, tx?.evseId, tx?.chargingState], ['active', await p.services.privacy.pseudonym(VALID.idToken), 1, 'Charging']);
    assert.deepEqual((await p.repos.connectors.listByStation('TC_P_03')).map((c) => [c.evseId, c.connectorId, c.status]), [[1, 1, 'Occupied']]);
    // a customData without its required vendorId is a schema violation, not silently accepted
    const [type, , code] = await st.send('StatusNotification', { timestamp: ts(), connectorStatus: 'Available', evseId: 1, connectorId: 1, customData: { field: 'x' } as Obj });
    assert.deepEqual([type, code], [4, 'OccurrenceConstraintViolation']);
  });
});
