// OCPP 1.6 Reservation profile, CSMS side (OCTT TC_046–TC_053 where the id is known).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { answerNext, bootedStation, callOk, inSeconds, rawStation, until, type Obj } from '../helpers.js';

describe('OCPP 1.6 Reservation profile (CSMS)', () => {
  let p: TestPlatform;
  let n = 0;
  const stations: SimulatedStation[] = [];
  const station = async () => {
    const st = await bootedStation(p, `R16-${++n}`, '1.6');
    stations.push(st);
    return st;
  };
  const connectorStatus = async (id: string, evse: number) => (await p.repos.connectors.listByStation(id)).find((c) => c.evseId === evse)?.status;

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'TAG-A', status: 'Accepted', groupIdToken: 'FLEET' });
    await p.repos.tokens.upsert({ idToken: 'TAG-B', status: 'Accepted', groupIdToken: 'FLEET' });
    await p.repos.tokens.upsert({ idToken: 'TAG-X', status: 'Accepted' });
  });
  after(async () => {
    for (const st of stations) await st.close();
    await p.stop();
  });

  it('TC_046_CSMS Reservation of a Connector - Transaction', async () => {
    const st = await station();
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(60) });
    assert.equal(command.action, 'ReserveNow');
    assert.equal(command.status, 'Accepted');
    assert.equal(reservation.status, 'Accepted');
    assert.equal((command.command as Obj).reservationId, reservation.id);
    assert.equal(st.reservation(1)?.id, reservation.id);
    await until('connector 1 Reserved', async () => (await connectorStatus(st.identity, 1)) === 'Reserved');
    const txId = await st.startSession({ connector: 1, idTag: 'TAG-A' });
    const used = await p.services.reservations.get(st.identity, reservation.id);
    assert.equal(used?.status, 'Used');
    assert.equal(used?.transactionId, txId);
    const journal = await p.services.commands.get(command.id);
    assert.deepEqual(journal?.updates.map((u) => u.status), ['Used']);
    assert.equal((await p.repos.transactions.get(txId as number))?.reservationId, reservation.id);
  });

  it('TC_047_CSMS Reservation of a Connector - Expire', async () => {
    const st = await station();
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(0.4) });
    await until('connector 1 Reserved', async () => (await connectorStatus(st.identity, 1)) === 'Reserved');
    await until('connector 1 Available again', async () => (await connectorStatus(st.identity, 1)) === 'Available');
    const expired = await p.services.reservations.get(st.identity, reservation.id);
    assert.equal(expired?.status, 'Expired');
    const cmd = (await p.services.commands.list(st.identity, { kind: 'reserveNow' }))[0]!;
    assert.equal((await p.services.commands.get(cmd.id))?.progress, 'Expired');
  });

  it('the periodic sweep marks lapsed reservations Expired without anyone reading them', async () => {
    const st = await station();
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 2, expiresAt: inSeconds(0.2) });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await p.repos.reservations.get(st.identity, reservation.id))?.status, 'Accepted');
    assert.ok((await p.services.reservations.sweep()) >= 1);
    assert.equal((await p.repos.reservations.get(st.identity, reservation.id))?.status, 'Expired');
  });

  it('TC_048_2_CSMS Reservation of a Connector - Occupied', async () => {
    const st = await station();
    await st.startSession({ connector: 2, idTag: 'TAG-X' });
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 2, expiresAt: inSeconds(60) });
    assert.equal(command.status, 'Occupied');
    assert.match(command.failure ?? '', /^Rejected: ReserveNow: station answered Occupied/);
    assert.equal(reservation.status, 'Occupied');
  });

  it('TC_048_3_CSMS Reservation of a Connector - Unavailable', async () => {
    const st = await station();
    assert.equal((await p.services.commands.send(st.identity, { kind: 'changeAvailability', evseId: 2, available: false })).status, 'Accepted');
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 2, expiresAt: inSeconds(60) });
    assert.equal(reservation.status, 'Unavailable');
  });

  it('reserving a Faulted connector is answered Faulted and recorded', async () => {
    const st = await station();
    await st.statusNotification(1, 'Faulted');
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(60) });
    assert.equal(reservation.status, 'Faulted');
  });

  it('TC_049_CSMS Reservation of a Charge Point - Transaction', async () => {
    const st = await station();
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', expiresAt: inSeconds(60) });
    assert.equal((command.command as Obj).evseId, undefined);
    assert.equal(reservation.evseId, null);
    assert.equal(reservation.status, 'Accepted');
    const held = [1, 2].find((c) => st.reservation(c)?.id === reservation.id)!;
    assert.ok(held, 'the station holds one connector for the reservation');
    const txId = await st.startSession({ connector: held, idTag: 'TAG-A' });
    assert.equal((await p.services.reservations.get(st.identity, reservation.id))?.transactionId, txId);
  });

  it('TC_053_CSMS Use a reserved Connector with parentIdTag', async () => {
    const st = await station();
    // the station learns TAG-B's parent from the local list the CSMS derives from its tokens
    assert.equal((await p.services.localAuthList.sync(st.identity)).status, 'Accepted');
    const { reservation, command } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(60) });
    // the journal shows the group's pseudonym, never a UID (migration 0024)
    assert.equal((command.command as Obj).groupIdToken, await p.services.privacy.pseudonym('FLEET'), 'parentIdTag taken from the token store');
    const before = (await p.repos.securityEvents.list({ stationId: st.identity, limit: 50 })).length;
    const txId = await st.startSession({ connector: 1, idTag: 'TAG-B' });
    const used = await p.services.reservations.get(st.identity, reservation.id);
    assert.deepEqual([used?.status, used?.transactionId], ['Used', txId]);
    assert.equal((await p.repos.securityEvents.list({ stationId: st.identity, limit: 50 })).length, before, 'a group member is entitled');
  });

  it('another token cannot start on a reserved connector', async () => {
    const st = await station();
    await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(60) });
    const start = await p.services.commands.send(st.identity, { kind: 'remoteStart', idToken: 'TAG-X', evseId: 1 });
    assert.equal(start.status, 'Rejected');
  });

  it('CancelReservation frees the connector; an unknown reservation is Rejected', async () => {
    const st = await station();
    const { reservation } = await p.services.reservations.reserve(st.identity, { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(60) });
    const cancelled = await p.services.reservations.cancel(st.identity, reservation.id);
    assert.equal(cancelled.command.action, 'CancelReservation');
    assert.equal(cancelled.reservation?.status, 'Cancelled');
    assert.equal(st.reservation(1), undefined);
    await until('connector 1 Available', async () => (await connectorStatus(st.identity, 1)) === 'Available');
    const unknown = await p.services.reservations.cancel(st.identity, 987654);
    assert.equal(unknown.command.status, 'Rejected');
    assert.equal(unknown.reservation, undefined);
  });

  it('a reservation for an offline station is recorded as Failed', async () => {
    await p.addStation('R16-OFF');
    const { reservation, command } = await p.services.reservations.reserve('R16-OFF', { idToken: 'TAG-A', evseId: 1, expiresAt: inSeconds(60) });
    assert.equal(command.status, 'Failed');
    assert.match(command.failure ?? '', /^Offline/);
    assert.equal(reservation.status, 'Failed');
  });

  it('an expiry in the past is refused before anything is sent', async () => {
    await assert.rejects(p.services.reservations.reserve('R16-OFF', { idToken: 'TAG-A', expiresAt: inSeconds(-1) }), RangeError);
  });

  it('a start quoting an unknown or another token\'s reservation is accepted and recorded as a security event', async () => {
    const c = await rawStation(p, 'R16-RAW', 'ocpp1.6');
    try {
      await callOk(c, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      const unknown = await callOk(c, 'StartTransaction', { connectorId: 1, idTag: 'TAG-A', meterStart: 0, timestamp: new Date().toISOString(), reservationId: 424242 });
      assert.equal((unknown.idTagInfo as Obj).status, 'Accepted');
      const reserving = p.services.reservations.reserve('R16-RAW', { idToken: 'TAG-A', evseId: 2, expiresAt: inSeconds(60) });
      await answerNext(c, () => ({ status: 'Accepted' }));
      const { reservation } = await reserving;
      const other = await callOk(c, 'StartTransaction', { connectorId: 2, idTag: 'TAG-X', meterStart: 0, timestamp: new Date().toISOString(), reservationId: reservation.id });
      assert.equal((other.idTagInfo as Obj).status, 'Accepted');
      const events = (await p.repos.securityEvents.list({ stationId: 'R16-RAW', limit: 10 })).filter((e) => e.type === 'ReservationMismatch');
      assert.deepEqual(events.map((e) => e.details.problem).sort(), ['otherToken', 'unknown']);
      // the station ended the reservation by starting on it
      assert.equal((await p.services.reservations.get('R16-RAW', reservation.id))?.status, 'Used');
    } finally {
      c.close();
    }
  });
});
