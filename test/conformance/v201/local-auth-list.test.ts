// OCPP 2.0.1 functional block D (Local Authorization List Management), CSMS side. No OCTT ids of
// block D could be confirmed, so the tests are named by behaviour (use cases D01, D02).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { answerNext, bootedStation, callOk, rawStation, type Obj } from '../helpers.js';

describe('OCPP 2.0.1 block D — Local Authorization List (CSMS)', () => {
  let p: TestPlatform;
  let n = 0;
  const stations: SimulatedStation[] = [];
  const station = async () => {
    const st = await bootedStation(p, `L201-${++n}`, '2.0.1');
    stations.push(st);
    return st;
  };

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'TOK-1', status: 'Accepted', groupIdToken: 'FLEET', expiresAt: new Date('2030-01-01T00:00:00Z') });
    await p.repos.tokens.upsert({ idToken: 'EMAID-DE-ABC-C12345678-X', type: 'eMAID', status: 'Accepted' });
  });
  after(async () => {
    for (const st of stations) await st.close();
    await p.stop();
  });

  it('D02 GetLocalListVersion of a station without a list answers 0', async () => {
    const st = await station();
    const r = await p.services.localAuthList.stationVersion(st.identity);
    assert.deepEqual([r.command.action, r.version], ['GetLocalListVersion', 0]);
  });

  it('D01 full update: every token with its idTokenInfo, in 2.0.1 form', async () => {
    const c = await rawStation(p, 'L201-RAW', 'ocpp2.0.1');
    try {
      await callOk(c, 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
      const syncing = p.services.localAuthList.sync('L201-RAW');
      const [, , action, payload] = await answerNext(c, () => ({ status: 'Accepted' }));
      assert.equal(action, 'SendLocalList');
      // entries come in pseudonym order (the database no longer knows the UIDs' order)
      type Entry = { idToken: { idToken: string } };
      (payload.localAuthorizationList as Entry[]).sort((x, y) => x.idToken.idToken.localeCompare(y.idToken.idToken));
      assert.deepEqual(payload, {
        versionNumber: 1, updateType: 'Full', localAuthorizationList: [
          { idToken: { idToken: 'EMAID-DE-ABC-C12345678-X', type: 'eMAID' }, idTokenInfo: { status: 'Accepted' } },
          { idToken: { idToken: 'TOK-1', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: '2030-01-01T00:00:00.000Z', groupIdToken: { idToken: 'FLEET', type: 'Central' } } },
        ],
      });
      assert.equal((await syncing).status, 'Accepted');

      // D01.FR: Failed to a differential update → the full list is sent again
      await p.repos.tokens.setStatus('TOK-1', 'Blocked');
      const again = p.services.localAuthList.sync('L201-RAW');
      const [, , , diff] = await answerNext(c, () => ({ status: 'Failed' }));
      const [, , , full] = await answerNext(c, () => ({ status: 'Accepted' }));
      assert.deepEqual([diff.updateType, diff.versionNumber, full.updateType, full.versionNumber], ['Differential', 2, 'Full', 3]);
      assert.deepEqual((await again).fallbackFrom?.status, 'Failed');
    } finally {
      await p.repos.tokens.setStatus('TOK-1', 'Accepted');
      c.close();
    }
  });

  it('D01 differential update with the simulator: only the change, and the station applies it', async () => {
    const st = await station();
    const full = await p.services.localAuthList.sync(st.identity);
    assert.equal(full.status, 'Accepted');
    assert.equal(st.localList.entries.size, 2);
    await p.repos.tokens.upsert({ idToken: 'TOK-2', status: 'Invalid' });
    try {
      const diff = await p.services.localAuthList.sync(st.identity);
      assert.deepEqual([diff.updateType, diff.status], ['Differential', 'Accepted']);
      // the journal holds the token's pseudonym, the station got the UID (migration 0024)
      assert.deepEqual((diff.command!.command as { entries: unknown[] }).entries, [{ idToken: await p.services.privacy.pseudonym('TOK-2'), type: 'ISO14443', info: { status: 'Invalid' } }]);
      assert.deepEqual(st.localList.entries.get('TOK-2'), { status: 'Invalid' });
      assert.equal((await p.services.localAuthList.stationVersion(st.identity)).version, diff.version);
    } finally {
      await p.repos.tokens.remove('TOK-2');
    }
  });

  it('D01 VersionMismatch from the simulator (its list is ahead of the CSMS) falls back to a full update', async () => {
    const st = await station();
    await p.services.localAuthList.sync(st.identity);
    st.localList.version = 1000; // e.g. another CSMS instance wrote the list
    await p.repos.tokens.upsert({ idToken: 'TOK-3', status: 'Accepted' });
    try {
      const r = await p.services.localAuthList.sync(st.identity);
      assert.deepEqual([r.fallbackFrom?.updateType, r.fallbackFrom?.status, r.updateType, r.status], ['Differential', 'VersionMismatch', 'Full', 'Accepted']);
      assert.equal(st.localList.entries.has('TOK-3'), true);
    } finally {
      await p.repos.tokens.remove('TOK-3');
    }
  });

  it('D01 a station with the local list disabled answers Failed; the CSMS state does not move', async () => {
    const st = await station();
    await p.services.commands.send(st.identity, { kind: 'setVariables', variables: [{ component: 'LocalAuthListCtrlr', variable: 'Enabled', value: 'false' }] });
    const r = await p.services.localAuthList.sync(st.identity);
    assert.deepEqual([r.updateType, r.status], ['Full', 'Failed']);
    assert.equal((await p.services.localAuthList.state(st.identity))?.version, 0);
    assert.equal((await p.services.localAuthList.state(st.identity))?.lastStatus, 'Failed');
  });

  it('D01 the sync result is persisted per station and in the command journal', async () => {
    const st = await station();
    const r = await p.services.localAuthList.sync(st.identity);
    const state = await p.services.localAuthList.state(st.identity);
    assert.deepEqual([state?.version, state?.lastStatus, state?.entries.length], [r.version, 'Accepted', 2]);
    const journal = await p.services.commands.get(r.command!.id);
    assert.deepEqual([journal?.kind, journal?.action, journal?.status], ['sendLocalList', 'SendLocalList', 'Accepted']);
    assert.equal((journal?.response as Obj).status, 'Accepted');
  });
});
