// OCPP 1.6 Local Auth List Management profile, CSMS side (OCTT TC_042 / TC_043 CSMS cases).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { answerNext, bootedStation, callOk, rawStation, type Obj } from '../helpers.js';

type ListEntry = { idTag: string; idTagInfo?: Obj };

describe('OCPP 1.6 Local Auth List Management profile (CSMS)', () => {
  let p: TestPlatform;
  let n = 0;
  const stations: SimulatedStation[] = [];
  const station = async (behaviour = {}) => {
    const st = await bootedStation(p, `L16-${++n}`, '1.6', behaviour);
    stations.push(st);
    return st;
  };

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'TAG-1', status: 'Accepted', groupIdToken: 'FLEET' });
    await p.repos.tokens.upsert({ idToken: 'TAG-2', status: 'Blocked' });
  });
  after(async () => {
    for (const st of stations) await st.close();
    await p.stop();
  });

  it('TC_042_2_CSMS Get Local List Version (empty)', async () => {
    const st = await station();
    const { version, command } = await p.services.localAuthList.stationVersion(st.identity);
    assert.equal(command.action, 'GetLocalListVersion');
    assert.equal(version, 0);
  });

  it('TC_043_4_CSMS Send Local Authorization List - Full', async () => {
    const st = await station();
    const sync = await p.services.localAuthList.sync(st.identity);
    assert.deepEqual([sync.updateType, sync.status], ['Full', 'Accepted']);
    const sent = sync.command!.command as { entries: Array<{ idToken: string; info?: Obj }> };
    assert.ok(sent.entries.every((e) => e.info), 'every entry of a full list carries its info');
    assert.deepEqual([...st.localList.entries.keys()].sort(), ['TAG-1', 'TAG-2']);
    assert.deepEqual(st.localList.entries.get('TAG-2'), { status: 'Blocked' });
    assert.equal((await p.services.localAuthList.stationVersion(st.identity)).version, sync.version);
  });

  it('TC_043_5_CSMS Send Local Authorization List - Differential', async () => {
    const st = await station();
    const full = await p.services.localAuthList.sync(st.identity);
    await p.repos.tokens.upsert({ idToken: 'TAG-3', status: 'Accepted' });
    try {
      const diff = await p.services.localAuthList.sync(st.identity);
      assert.deepEqual([diff.updateType, diff.status], ['Differential', 'Accepted']);
      assert.ok(diff.version! > full.version!, 'the version moves forward');
      // the journal holds the token's pseudonym, the station got the UID
      assert.deepEqual((diff.command!.command as { entries: unknown[] }).entries, [{ idToken: await p.services.privacy.pseudonym('TAG-3'), type: 'ISO14443', info: { status: 'Accepted' } }]);
      assert.deepEqual(st.localList.entries.get('TAG-3'), { status: 'Accepted' });
      assert.equal((await p.services.localAuthList.sync(st.identity)).status, 'UpToDate', 'nothing changed, nothing sent');
    } finally {
      await p.repos.tokens.remove('TAG-3');
    }
    // a changed token is sent with its new info
    await p.repos.tokens.setStatus('TAG-1', 'Blocked');
    try {
      // a deleted token's UID is gone from the CSMS (migration 0024), so its removal comes as a full update
      const full2 = await p.services.localAuthList.sync(st.identity);
      assert.deepEqual([full2.updateType, full2.status], ['Full', 'Accepted']);
      assert.equal(st.localList.entries.has('TAG-3'), false);
      await p.repos.tokens.setStatus('TAG-2', 'Accepted');
      const diff = await p.services.localAuthList.sync(st.identity);
      assert.deepEqual((diff.command!.command as { entries: unknown[] }).entries, [
        { idToken: await p.services.privacy.pseudonym('TAG-2'), type: 'ISO14443', info: { status: 'Accepted' } },
      ]);
      await p.repos.tokens.setStatus('TAG-2', 'Blocked');
      assert.deepEqual(st.localList.entries.get('TAG-1'), { status: 'Blocked', groupIdTag: 'FLEET' });
    } finally {
      await p.repos.tokens.setStatus('TAG-1', 'Accepted');
    }
  });

  it('a VersionMismatch answer to a differential update falls back to a full update', async () => {
    const c = await rawStation(p, 'L16-RAW', 'ocpp1.6');
    try {
      await callOk(c, 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      const first = p.services.localAuthList.sync('L16-RAW');
      await answerNext(c, () => ({ status: 'Accepted' }));
      const v1 = (await first).version!;
      await p.repos.tokens.upsert({ idToken: 'TAG-4', status: 'Accepted' });
      const second = p.services.localAuthList.sync('L16-RAW');
      const [, , , diff] = await answerNext(c, () => ({ status: 'VersionMismatch' }));
      const [, , , full] = await answerNext(c, () => ({ status: 'Accepted' }));
      const r = await second;
      assert.deepEqual([diff.updateType, full.updateType], ['Differential', 'Full']);
      assert.ok((full.listVersion as number) > (diff.listVersion as number) && (diff.listVersion as number) > v1, 'versions only increase');
      assert.deepEqual((full.localAuthorizationList as ListEntry[]).map((e) => e.idTag).sort(), ['TAG-1', 'TAG-2', 'TAG-4']);
      assert.deepEqual([r.updateType, r.status, r.fallbackFrom?.status], ['Full', 'Accepted', 'VersionMismatch']);
      assert.equal((await p.services.localAuthList.state('L16-RAW'))?.version, full.listVersion);
    } finally {
      await p.repos.tokens.remove('TAG-4');
      c.close();
    }
  });

  it('a station with the local list disabled answers NotSupported; the list state stays as it was', async () => {
    const st = await station();
    assert.equal((await p.services.commands.send(st.identity, { kind: 'changeConfiguration', key: 'LocalAuthListEnabled', value: 'false' })).status, 'Accepted');
    const sync = await p.services.localAuthList.sync(st.identity);
    assert.equal(sync.status, 'NotSupported');
    assert.equal((await p.services.localAuthList.state(st.identity))?.version, 0);
    assert.equal((await p.services.localAuthList.stationVersion(st.identity)).version, -1);
  });

  it('a station without the profile answers with a NotSupported CALLERROR, recorded as Failed', async () => {
    const st = await station({ unsupported: new Set(['SendLocalList']) });
    const sync = await p.services.localAuthList.sync(st.identity);
    assert.equal(sync.status, 'Failed');
    assert.match(sync.command?.failure ?? '', /NotSupported/);
  });

  it('an offline station: the sync is recorded as Failed', async () => {
    await p.addStation('L16-OFF');
    const sync = await p.services.localAuthList.sync('L16-OFF');
    assert.equal(sync.status, 'Failed');
    assert.equal((await p.services.commands.list('L16-OFF', { kind: 'sendLocalList' })).length, 1);
  });
});
