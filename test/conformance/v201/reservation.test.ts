// OCPP 2.0.1 functional block H (Reservation), CSMS side. No OCTT ids of block H could be
// confirmed, so the tests are named by behaviour (use cases H01–H04).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { answerNext, bootedStation, callOk, inSeconds, rawStation, until, type Obj } from '../helpers.js';

describe('OCPP 2.0.1 block H — Reservation (CSMS)', () => {
  let p: TestPlatform;
  let n = 0;
  const stations: SimulatedStation[] = [];
  const station = async () => {
    const st = await bootedStation(p, `R201-${++n}`, '2.0.1');
    stations.push(st);
    return st;
  };
  const connectorStatus = async (id: string, evse: number) => (await p.repos.connectors.listByStation(id)).find((c) => c.evseId === evse)?.status;

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'TOK-A', status: 'Accepted', groupIdToken: 'FLEET' });
    await p.repos.tokens.upsert({ idToken: 'TOK-X', status: 'Accepted' });
  });
  after(async () => {
    for (const st of stations) await st.close();
    await p.stop();
  });

  it('H01/H03 reserve a specific EVSE, then the reserved token starts on it: Used and linked', async () => {
    const st = await station();
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(60) });
    assert.deepEqual([command.action, command.status, reservation.status], ['ReserveNow', 'Accepted', 'Accepted']);
    assert.equal(command.requestId, reservation.id);
    await until('EVSE 1 Reserved', async () => (await connectorStatus(st.identity, 1)) === 'Reserved');
    const ref = await st.startSession({ connector: 1, idTag: 'TOK-A' });
    const tx = await p.repos.transactions.findByRef(st.identity, String(ref));
    const used = await p.services.reservations.get(st.identity, reservation.id);
    assert.deepEqual([used?.status, used?.transactionId, tx?.reservationId], ['Used', tx?.id, reservation.id]);
  });

  it('H01 reserve an unspecified EVSE: the station holds one for the token', async () => {
    const st = await station();
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', expiresAt: inSeconds(60) });
    assert.equal(reservation.status, 'Accepted');
    assert.ok([1, 2].some((e) => st.reservation(e)?.id === reservation.id));
  });

  it('H01 ReserveNow answered Occupied, Unavailable or Faulted is recorded with that status', async () => {
    const st = await station();
    await st.startSession({ connector: 1, idTag: 'TOK-X' });
    assert.equal((await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(60) })).reservation.status, 'Occupied');
    assert.equal((await p.services.commands.send(st.identity, { kind: 'changeAvailability', evseId: 2, available: false })).status, 'Accepted');
    assert.equal((await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 2, expiresAt: inSeconds(60) })).reservation.status, 'Unavailable');
    const other = await station();
    await other.statusNotification(1, 'Faulted');
    assert.equal((await p.services.reservations.reserve(other.identity, { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(60) })).reservation.status, 'Faulted');
  });

  it('H01 a station with reservations disabled answers Rejected', async () => {
    const st = await station();
    const set = await p.services.commands.send(st.identity, { kind: 'setVariables', variables: [{ component: 'ReservationCtrlr', variable: 'Enabled', value: 'false' }] });
    assert.equal(set.status, 'Accepted');
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(60) });
    assert.equal(reservation.status, 'Rejected');
    assert.deepEqual((command.response as Obj).statusInfo, { reasonCode: 'NotEnabled' });
  });

  it('H02 CancelReservation: Accepted frees the EVSE; an unknown reservation is Rejected', async () => {
    const st = await station();
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 2, expiresAt: inSeconds(60) });
    const r = await p.services.reservations.cancel(st.identity, reservation.id);
    assert.deepEqual([r.command.status, r.reservation?.status], ['Accepted', 'Cancelled']);
    await until('EVSE 2 Available', async () => (await connectorStatus(st.identity, 2)) === 'Available');
    assert.equal((await p.services.reservations.cancel(st.identity, 55555)).command.status, 'Rejected');
  });

  it('H03 another token cannot start on a reserved EVSE', async () => {
    const st = await station();
    await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(60) });
    assert.equal((await p.services.commands.send(st.identity, { kind: 'remoteStart', idToken: 'TOK-X', evseId: 1 })).status, 'Rejected');
  });

  it('H04 an unused reservation expires: ReservationStatusUpdate Expired reaches the reservation and its journal entry', async () => {
    const st = await station();
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(0.4) });
    await until('the Expired update', async () => (await p.services.commands.get(command.id))?.progress === 'Expired');
    const journal = await p.services.commands.get(command.id);
    assert.deepEqual(journal?.updates.map((u) => [u.status, u.details.by]), [['Expired', 'station']]);
    assert.equal((await p.repos.reservations.get(st.identity, reservation.id))?.status, 'Expired');
    await until('EVSE 1 Available', async () => (await connectorStatus(st.identity, 1)) === 'Available');
  });

  it('H04 ReservationStatusUpdate Removed and updates for unknown reservations', async () => {
    const c = await rawStation(p, 'R201-RAW', 'ocpp2.0.1');
    try {
      await callOk(c, 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
      const reserving = p.services.reservations.reserve('R201-RAW', { idToken: 'TOK-A', evseId: 1, expiresAt: inSeconds(60), connectorType: 'cType2' });
      const [, , action, payload] = await answerNext(c, () => ({ status: 'Accepted' }));
      assert.equal(action, 'ReserveNow');
      assert.deepEqual(payload.groupIdToken, { idToken: 'FLEET', type: 'Central' });
      assert.equal(payload.connectorType, 'cType2');
      const { reservation } = await reserving;
      await callOk(c, 'ReservationStatusUpdate', { reservationId: reservation.id, reservationUpdateStatus: 'Removed' });
      assert.equal((await p.repos.reservations.get('R201-RAW', reservation.id))?.status, 'Removed');
      // an update for a reservation the CSMS never made is answered and changes nothing
      await callOk(c, 'ReservationStatusUpdate', { reservationId: 999_999, reservationUpdateStatus: 'Expired' });

      // a transaction quoting an ended (Removed) or unknown reservation is accepted and recorded
      const started = await callOk(c, 'TransactionEvent', {
        eventType: 'Started', seqNo: 0, timestamp: new Date().toISOString(), triggerReason: 'Authorized', reservationId: reservation.id,
        transactionInfo: { transactionId: 'RTX-1' }, idToken: { idToken: 'TOK-A', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 },
      });
      assert.equal((started.idTokenInfo as Obj).status, 'Accepted');
      const events = (await p.repos.securityEvents.list({ stationId: 'R201-RAW', limit: 10 })).filter((e) => e.type === 'ReservationMismatch');
      assert.deepEqual(events.map((e) => e.details.problem), ['Removed']);
    } finally {
      c.close();
    }
  });
});
