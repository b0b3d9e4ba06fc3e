// The one security log on a running platform (issue 7, OP4–OP6): a failed login, a lockout and a
// denied request land in it with actor, role, origin node and description; GET
// /api/v1/security/log/verify (security:read) and `ov2x audit verify --json` prove it intact and
// name the first broken link once a record is altered with raw SQL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { apiUser, call } from '../helpers/api.js';
import { localUser, login } from '../helpers/accounts.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const MAIN = 'dist/src/cli/main.js';

describe('security log on the platform', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-seclog-'));
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ dataDir, loginMaxFailures: 2 });
  });
  after(async () => {
    await p?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const events = async () => (await sql<{ type: string; actor: string | null; actorRole: string | null; description: string | null; node: string | null; sourceIp: string | null; chainSeq: number }>`
    select type, actor, actor_role, description, node, source_ip, chain_seq from security_events order by chain_seq`.execute(p.store.db)).rows;

  it('records auth failures, a lockout and a denied request with actor, role and node', async () => {
    const u = await localUser(p, ['support_l1']);
    for (let i = 0; i < 3; i++) assert.equal((await login(p, u.username, 'wrong-password')).status, 401);
    const support = await apiUser(p, ['support_l1']);
    assert.equal((await call(p, 'GET', '/security/log/verify', { token: support.token })).status, 403);
    // the audit record of an answer is written after the answer went out
    await until('the denial in the security log', async () => (await events()).some((r) => r.type === 'AccessDenied'));
    const rows = await events();
    const failed = rows.filter((r) => r.type === 'AuthenticationFailed');
    assert.ok(failed.length >= 2, JSON.stringify(rows));
    assert.equal(failed[0]!.actor, u.username);
    assert.equal(failed[0]!.actorRole, 'anonymous');
    assert.match(failed[0]!.description!, /^auth\.login: failure/);
    assert.ok(failed[0]!.node, 'origin node');
    assert.ok(failed[0]!.sourceIp);
    assert.ok(rows.some((r) => r.type === 'AccountLocked' && r.actor === u.username), JSON.stringify(rows.map((r) => r.type)));
    const denied = rows.find((r) => r.type === 'AccessDenied');
    assert.ok(denied, JSON.stringify(rows.map((r) => r.type)));
    assert.equal(denied.actorRole, 'support_l1');
  });

  it('GET /security/log/verify answers intact, then the first broken link', async () => {
    const reader = await apiUser(p, ['support_l2']);
    const ok = await call<{ ok: boolean; checked: number; head: { seq: number } }>(p, 'GET', '/security/log/verify', { token: reader.token });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    assert.equal(ok.body.checked, ok.body.head.seq);
    await sql`update security_events set actor = 'someone else' where chain_seq = 2`.execute(p.store.db);
    const broken = await call<{ ok: boolean; broken: { seq: number; reason: string } }>(p, 'GET', '/security/log/verify', { token: reader.token });
    assert.equal(broken.body.ok, false);
    assert.equal(broken.body.broken.seq, 2);
    assert.match(broken.body.broken.reason, /altered/);
  });

  it('ov2x audit verify --json reports the same on the data folder, exit code 1', async () => {
    await p.stop();
    const env = { ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '' };
    const r = spawnSync(process.execPath, [MAIN, 'audit', 'verify', '--json'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { ok: boolean; broken: { seq: number } };
    assert.equal(report.ok, false);
    assert.equal(report.broken.seq, 2);
    const human = spawnSync(process.execPath, [MAIN, 'audit', 'verify'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.match(human.stdout, /security log BROKEN at record 2/);
  });
});
