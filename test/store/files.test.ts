import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileRepo, StationRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`FileRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let files: FileRepo;
    const hour = 3_600_000;
    before(async () => {
      s = await backend.open();
      files = new FileRepo(s.store.db);
      await new StationRepo(s.store.db).create({ id: 'F1', passwordHash: null });
    });
    after(() => s?.cleanup());

    it('stores a transfer by token hash and lets exactly one of two concurrent uploads claim it', async () => {
      const t = await files.createTransfer({ tokenHash: 'h1', stationId: 'F1', purpose: 'upload', fileKind: 'diagnostics', expiresAt: new Date(Date.now() + hour) });
      assert.equal((await files.transferByHash('h1'))?.id, t.id);
      assert.equal(await files.transferByHash('nope'), undefined);
      const claims = await Promise.all([files.claimUpload(t.id, new Date()), files.claimUpload(t.id, new Date())]);
      assert.deepEqual(claims.sort(), [false, true]);
      await files.releaseUpload(t.id);
      assert.equal(await files.claimUpload(t.id, new Date()), true);
    });

    it('does not claim an expired transfer', async () => {
      const t = await files.createTransfer({ tokenHash: 'h2', stationId: 'F1', purpose: 'upload', fileKind: 'securityLog', expiresAt: new Date(Date.now() - 1000) });
      assert.equal(await files.claimUpload(t.id, new Date()), false);
    });

    it('keeps firmware images with their hashes and uploaded files per station, newest first', async () => {
      const fw = await files.addFirmware({ name: 'fw', storageName: 'a', size: 3_000_000_000, sha256: 's', md5: 'm' });
      assert.equal((await files.firmware(fw.id))?.size, 3_000_000_000);
      assert.equal(fw.signature, null);
      const t = await files.createTransfer({ tokenHash: 'h3', stationId: 'F1', purpose: 'upload', fileKind: 'diagnostics', expiresAt: new Date(Date.now() + hour) });
      await files.addStationFile({ stationId: 'F1', transferId: t.id, fileKind: 'diagnostics', storageName: 'u1', size: 10, sha256: 'x' });
      await files.addStationFile({ stationId: 'F1', transferId: t.id, fileKind: 'diagnostics', storageName: 'u2', size: 20, sha256: 'y', originalName: 'b.log' });
      assert.deepEqual((await files.stationFiles('F1')).map((f) => f.storageName), ['u2', 'u1']);
    });

    it('prunes expired transfers that no uploaded file refers to', async () => {
      const used = await files.createTransfer({ tokenHash: 'h4', stationId: 'F1', purpose: 'upload', fileKind: 'diagnostics', expiresAt: new Date(Date.now() - 1000) });
      await files.addStationFile({ stationId: 'F1', transferId: used.id, fileKind: 'diagnostics', storageName: 'u4', size: 1, sha256: 'z' });
      await files.pruneTransfers(new Date());
      assert.ok(await files.transferByHash('h4'));
      assert.equal(await files.transferByHash('h2'), undefined);
    });
  });
}
