import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startPlatform, type Platform } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { notePersonalData, runLogger } from '../helpers/run-log.js';
import { toBase32 } from '../../src/domain/privacy/keyed-hash.js';

type Obj = Record<string, unknown>;
const UID = 'RFID-0xDEADBEEF42';

/** A platform over a data folder that outlives it, so a restart sees the same database and server secret. */
const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-privacy-'));
async function start(overrides: Partial<Config> = {}): Promise<Platform> {
  const p = await startPlatform({ ...loadConfig({}, {}), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'debug', ...overrides }, runLogger());
  notePersonalData(p);
  return p;
}
const rows = async (p: Platform): Promise<Obj[]> => (await sql<Obj>`SELECT * FROM id_tokens ORDER BY id`.execute(p.store.db)).rows;
const dataKeys = async (p: Platform): Promise<Obj[]> => (await sql<Obj>`SELECT * FROM data_keys ORDER BY id`.execute(p.store.db)).rows;
const keyFile = (name: string): string => {
  const f = join(dataDir, name);
  writeFileSync(f, randomBytes(32).toString('base64'), { mode: 0o600 });
  return f;
};

describe('token UIDs at rest: encrypted, blind index, pseudonym, master-key rotation (G1, G2)', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stores the UID encrypted under a wrapped data key, finds it by blind index, and backfills rows written before', async () => {
    const p = await start();
    try {
      await p.repos.tokens.upsert({ idToken: UID, status: 'Accepted', groupIdToken: 'G-1' });
      const index = await p.services.privacy.index(UID);
      const [row] = (await rows(p)).filter((r) => r.uidIndex === index);
      assert.ok(row);
      assert.equal(row.idToken, null, 'no plaintext UID column value (migration 0024)');
      const enc = String(row.uidEncrypted);
      assert.match(enc, /^f1\.dk_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      // nothing derived from the UID shows it: not the box, the index or the pseudonym, not even hex- or base64-encoded
      const encodings = [UID, Buffer.from(UID).toString('base64'), Buffer.from(UID).toString('hex'), Buffer.from(UID).toString('base64url')];
      for (const col of ['uidEncrypted', 'uidIndex', 'pseudonym']) for (const e of encodings) assert.ok(!String(row[col]).includes(e), `${col} shows the UID`);
      assert.match(String(row.pseudonym), /^tok_[a-z2-7]{16}$/);
      assert.equal(Buffer.from(String(row.uidIndex), 'base64url').length, 32, 'HMAC-SHA-256');
      // the data keys are stored wrapped only: 32 random bytes would be 43 base64url characters in clear
      const keys = await dataKeys(p);
      assert.deepEqual(keys.map((k) => k.purpose).sort(), ['blind-index', 'field', 'pseudonym']);
      for (const k of keys) assert.match(String(k.wrapped), /^w1\./);

      // lookups go by blind index: the same UID finds the row; a row whose index is someone else's does not answer to its plaintext key
      assert.equal((await p.repos.tokens.get(UID))?.status, 'Accepted');
      assert.equal((await p.services.tokens.authorize(UID)).status, 'Accepted');
      const rec = await p.repos.tokens.get(UID);
      assert.equal(await p.services.privacy.revealUid(rec!), UID);
      assert.equal(rec!.uidIndex, await p.services.privacy.index(UID));
      assert.notEqual(await p.services.privacy.index('RFID-0xDEADBEEF43'), rec!.uidIndex);
      assert.equal(await p.repos.tokens.get('RFID-0xdeadbeef42'), undefined, 'exact match, as the primary key');

      // a box moved to another row does not decrypt (the aad binds it to the blind index)
      await p.repos.tokens.upsert({ idToken: 'OTHER-UID', status: 'Accepted' });
      const other = await p.repos.tokens.get('OTHER-UID');
      await assert.rejects(p.services.privacy.revealUid({ uidEncrypted: rec!.uidEncrypted, uidIndex: other!.uidIndex }), /cannot be decrypted/);

      // a token written without protection (an older release, a raw insert) is protected at the next start
      await p.store.db.insertInto('idTokens').values({ idToken: 'LEGACY-UID', status: 'Blocked' }).execute();
      assert.equal((await p.services.tokens.authorize('LEGACY-UID')).status, 'Blocked', 'still authorized before the backfill');
    } finally {
      await p.close();
    }
  });

  it('backfills at start and keeps OCPP lookups working for backfilled rows', async () => {
    const p = await start();
    try {
      const index = await p.services.privacy.index('LEGACY-UID');
      const legacy = (await rows(p)).find((r) => r.uidIndex === index);
      assert.ok(legacy?.uidEncrypted && legacy.uidIndex && legacy.pseudonym);
      assert.equal(legacy.idToken, null, 'the plaintext is dropped once protected');
      // an older node wrote a plaintext twin of a protected token: the backfill keeps the protected row
      await p.store.db.insertInto('idTokens').values({ idToken: UID, status: 'Invalid' }).execute();
      assert.equal(await p.repos.tokens.backfill(), 1);
      const uidIndex = await p.services.privacy.index(UID);
      const twins = (await rows(p)).filter((r) => r.idToken === UID || r.uidIndex === uidIndex);
      assert.equal(twins.length, 1);
      assert.equal((await rows(p)).filter((r) => r.idToken !== null).length, 0);
      assert.equal((await p.services.tokens.authorize(UID)).status, 'Accepted');
      assert.equal((await p.services.tokens.authorize('LEGACY-UID')).status, 'Blocked');
      assert.equal(await p.services.privacy.revealUid((await p.repos.tokens.get('LEGACY-UID'))!), 'LEGACY-UID');
    } finally {
      await p.close();
    }
  });

  it('master-key rotation re-wraps the data keys at start, without re-encrypting data; data still decrypts and is found', async () => {
    const before = await (async () => {
      const p = await start();
      try {
        return { rows: await rows(p), keys: await dataKeys(p) };
      } finally {
        await p.close();
      }
    })();
    // from the default (derived from the server secret) to a key file: the derived key is still accepted during the move
    const first = keyFile('master-1');
    let p = await start({ masterKeyFile: first });
    let afterFirst: Obj[];
    try {
      afterFirst = await dataKeys(p);
      assert.equal(afterFirst.length, before.keys.length);
      for (const k of afterFirst) {
        const old = before.keys.find((b) => b.id === k.id)!;
        assert.notEqual(k.masterKeyId, old.masterKeyId);
        assert.notEqual(k.wrapped, old.wrapped);
        assert.ok(k.rewrappedAt);
      }
      assert.deepEqual(await rows(p).then((r) => r.map((x) => [x.uidEncrypted, x.uidIndex, x.pseudonym])), before.rows.map((x) => [x.uidEncrypted, x.uidIndex, x.pseudonym]), 'data untouched');
      assert.equal(await p.services.privacy.revealUid((await p.repos.tokens.get(UID))!), UID);
    } finally {
      await p.close();
    }
    // file to file: OV2X_MASTER_KEY_PREVIOUS_FILE names the old one until the re-wrap has run
    const second = keyFile('master-2');
    p = await start({ masterKeyFile: second, masterKeyPreviousFile: first });
    try {
      assert.ok((await dataKeys(p)).every((k, i) => k.masterKeyId !== afterFirst[i]!.masterKeyId));
      assert.equal((await p.services.tokens.authorize(UID)).status, 'Accepted');
    } finally {
      await p.close();
    }
    // after the rotation the new key alone suffices
    p = await start({ masterKeyFile: second });
    try {
      const rec = (await p.repos.tokens.get(UID))!;
      assert.equal(await p.services.privacy.revealUid(rec), UID);
      assert.match((await p.repos.tokens.upsert({ idToken: 'AFTER-ROTATION', status: 'Accepted' })).pseudonym ?? '', /^tok_/);
    } finally {
      await p.close();
    }
    // a start with a master key that never wrapped these data keys fails rather than writing under new keys
    await assert.rejects(start({ masterKeyFile: keyFile('master-unrelated') }), /not configured/);
  });

  it('base32 of the pseudonym is RFC 4648 (lower case, no padding)', () => {
    assert.equal(toBase32(Buffer.from('foobar')), 'mzxw6ytboi');
    assert.equal(toBase32(Buffer.alloc(10, 0xff)), '7'.repeat(16));
  });
});
