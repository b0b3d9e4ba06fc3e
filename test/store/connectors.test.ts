import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectorRepo, StationRepo, type StatusWriter } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`ConnectorRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let connectors: ConnectorRepo;
    let write: StatusWriter;
    before(async () => {
      s = await backend.open();
      connectors = new ConnectorRepo(s.store.db);
      write = connectors.statusWriter();
      await new StationRepo(s.store.db).create({ id: 'CS-C', passwordHash: null });
    });
    after(async () => {
      await write?.close();
      await s?.cleanup();
    });

    const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute));

    it('keeps the newest status live and ignores older reports', async () => {
      const base = { stationId: 'CS-C', evseId: 1, connectorId: 1 };
      assert.equal(await write({ ...base, status: 'Available', statusAt: at(0) }), true);
      assert.equal(await write({ ...base, status: 'Occupied', statusAt: at(10) }), true);
      assert.equal(await write({ ...base, status: 'Faulted', errorCode: 'GroundFailure', statusAt: at(5) }), false);
      const [live] = await connectors.listByStation('CS-C');
      assert.equal(live?.status, 'Occupied');
      assert.equal(live?.errorCode, null);
      assert.equal(live?.statusAt.toISOString(), at(10).toISOString());
    });

    it('appends every report, older ones included, to the history', async () => {
      const history = await connectors.history('CS-C', { limit: 10 });
      assert.deepEqual(
        history.map((h) => [h.status, h.statusAt.toISOString(), h.errorCode]),
        [
          ['Occupied', at(10).toISOString(), null],
          ['Faulted', at(5).toISOString(), 'GroundFailure'],
          ['Available', at(0).toISOString(), null],
        ],
      );
      assert.equal((await connectors.history('CS-C', { limit: 1 })).length, 1);
    });

    it('lists connectors of a station in evse/connector order', async () => {
      await Promise.all([
        write({ stationId: 'CS-C', evseId: 2, connectorId: 1, status: 'Available', statusAt: at(0) }),
        write({ stationId: 'CS-C', evseId: 1, connectorId: 2, status: 'Unavailable', statusAt: at(0) }),
      ]);
      const list = await connectors.listByStation('CS-C');
      assert.deepEqual(
        list.map((c) => [c.evseId, c.connectorId, c.status]),
        [
          [1, 1, 'Occupied'],
          [1, 2, 'Unavailable'],
          [2, 1, 'Available'],
        ],
      );
    });

    it('deletes connector states with their station', async () => {
      await new StationRepo(s.store.db).create({ id: 'CS-GONE', passwordHash: null });
      await write({ stationId: 'CS-GONE', evseId: 1, connectorId: 1, status: 'Available', statusAt: at(0) });
      await new StationRepo(s.store.db).remove('CS-GONE');
      assert.deepEqual(await connectors.listByStation('CS-GONE'), []);
    });
  });
}
