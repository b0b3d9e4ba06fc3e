import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ensureFirstAdmin } from '../../src/domain/identity/first-admin.js';
import { apiUser, call } from '../helpers/api.js';
import { enrolTotp, localUser, login, totpCode } from '../helpers/accounts.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const LOCK_S = 60;

describe('accounts: first administrator, password change, lockout without an oracle', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await startTestPlatform({ loginMaxFailures: 3, loginLockout: LOCK_S });
  });
  after(() => platform.stop());

  const lockedFor = async (id: number): Promise<number> => {
    const u = await platform.repos.users.byId(id);
    return (u!.lockedUntil?.getTime() ?? 0) - Date.now();
  };

  it('first start: one admin with a one-time password, then change password → enrol TOTP → full access', async () => {
    const first = platform.firstAdmin;
    assert.ok(first, 'the first start answers the administrator it created');
    assert.equal(first.username, 'admin');
    assert.ok(first.password.length >= 20);
    // a second start (accounts exist) creates nobody
    assert.equal(await ensureFirstAdmin(platform.repos.users), undefined);
    // no default credentials
    assert.equal((await login(platform, 'admin', 'admin')).status, 401);
    assert.equal((await login(platform, 'admin', 'changeme')).status, 401);

    const l = await login(platform, 'admin', first.password);
    assert.equal(l.status, 200);
    assert.deepEqual(l.body.me.pending, ['change-password', 'enrol-totp']);
    const token = l.body.token;
    // nothing else opens before the steps are done
    const early = await call(platform, 'GET', '/users', { token });
    assert.equal(early.status, 403);
    assert.equal(early.body.code, 'onboarding_required');

    const weak = await call(platform, 'POST', '/auth/password', { token, body: { currentPassword: first.password, newPassword: 'password1234' } });
    assert.equal(weak.status, 422);
    const newPassword = 'violet-harbour-lantern-42';
    const changed = await call<{ me: { pending: string[] } }>(platform, 'POST', '/auth/password', { token, body: { currentPassword: first.password, newPassword } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.me.pending, ['enrol-totp']);
    assert.equal((await call(platform, 'GET', '/users', { token })).status, 403, 'TOTP is mandatory for admins');

    const { secret, recoveryCodes } = await enrolTotp(platform, token);
    assert.equal(recoveryCodes.length, 10);
    const me = await call<{ pending: string[] }>(platform, 'GET', '/auth/me', { token });
    assert.deepEqual(me.body.pending, []);
    assert.equal((await call(platform, 'GET', '/users', { token })).status, 200);

    // the one-time password is spent; the next sign-in asks for the second factor
    assert.equal((await login(platform, 'admin', first.password)).status, 401);
    const again = await login(platform, 'admin', newPassword);
    assert.deepEqual(again.body.me.pending, ['verify-totp']);
    const verified = await call(platform, 'POST', '/auth/totp', { token: again.body.token, body: { code: await totpCode(secret, 1) } });
    assert.equal(verified.status, 200);
    assert.equal((await call(platform, 'GET', '/users', { token: again.body.token })).status, 200);

    // neither password nor secret is kept in clear: not in the users table, not in the audit trail
    const dump = JSON.stringify((await sql`SELECT u.*, (SELECT json_agg(a) FROM audit_log a) AS audit FROM users u`.execute(platform.store.db)).rows);
    for (const s of [first.password, newPassword, secret, ...recoveryCodes]) assert.ok(!dump.includes(s), 'a secret is stored in clear');
  });

  it('answers unknown user, wrong password, locked and disabled identically', async () => {
    const locked = await localUser(platform, ['support_l1']);
    for (let i = 0; i < 3; i++) await login(platform, locked.username, 'wrong-password-here');
    const disabled = await localUser(platform, ['support_l1']);
    await platform.repos.users.update(disabled.id, { disabled: true });
    const wrong = await localUser(platform, ['support_l1']);

    const answers = [
      await login(platform, 'nobody-by-this-name', 'whatever-password'),
      await login(platform, wrong.username, 'not-the-password'),
      await login(platform, locked.username, locked.password),
      await login(platform, disabled.username, disabled.password),
    ];
    for (const a of answers) {
      assert.equal(a.status, 401);
      assert.deepEqual(a.body, answers[0]!.body);
      assert.equal(a.headers.get('set-cookie'), null);
    }
    assert.deepEqual(answers[0]!.body, { code: 'invalid_credentials', message: 'invalid username or password' });
    const audit = await platform.services.identity.audit.list({ limit: 50, offset: 0, action: 'auth.login' });
    assert.ok(audit.some((r) => r.result === 'failure' && (r.details as { reason?: string }).reason === 'locked'), 'the audit trail keeps the real reason');
  });

  it('brute force locks the account, even the right password is refused, each further failure doubles the lock', async () => {
    const u = await localUser(platform, ['support_l1']);
    for (let i = 0; i < 2; i++) assert.equal((await login(platform, u.username, `guess-${i}-aaaaaaa`)).status, 401);
    assert.equal(await lockedFor(u.id) <= 0, true, 'not locked below the limit');
    assert.equal((await login(platform, u.username, 'guess-3-aaaaaaa')).status, 401);
    const first = await lockedFor(u.id);
    assert.ok(first > (LOCK_S - 5) * 1000 && first <= LOCK_S * 1000, `first lock ${first} ms`);
    // locked: the right password is refused, and does not extend the lock
    assert.equal((await login(platform, u.username, u.password)).status, 401);
    assert.ok(await lockedFor(u.id) <= first);

    // the lock runs out (moved into the past instead of waiting a minute); the next failure locks twice as long
    await platform.repos.users.update(u.id, { lockedUntil: new Date(Date.now() - 1000) });
    await login(platform, u.username, 'guess-4-aaaaaaa');
    const second = await lockedFor(u.id);
    assert.ok(second > (2 * LOCK_S - 5) * 1000 && second <= 2 * LOCK_S * 1000, `second lock ${second} ms`);
    await platform.repos.users.update(u.id, { lockedUntil: new Date(Date.now() - 1000) });
    await login(platform, u.username, 'guess-5-aaaaaaa');
    const third = await lockedFor(u.id);
    assert.ok(third > (4 * LOCK_S - 5) * 1000 && third <= 4 * LOCK_S * 1000, `third lock ${third} ms`);

    // an administrator lifts it; then the right password works and the counter starts again
    const admin = await apiUser(platform, ['admin']);
    const support = await apiUser(platform, ['support_l2']);
    assert.equal((await call(platform, 'POST', `/users/${u.id}/unlock`, { token: support.token })).status, 403);
    const unlocked = await call<{ failedLogins: number; lockedUntil: string | null }>(platform, 'POST', `/users/${u.id}/unlock`, { token: admin.token });
    assert.equal(unlocked.status, 200);
    assert.deepEqual([unlocked.body.failedLogins, unlocked.body.lockedUntil], [0, null]);
    assert.equal((await login(platform, u.username, u.password)).status, 200);
  });

  it('password change: policy refusals with the rule broken, then other sessions end', async () => {
    const u = await localUser(platform, ['support_l1'], { username: 'margaret' });
    const a = (await login(platform, u.username, u.password)).body.token;
    const b = (await login(platform, u.username, u.password)).body.token;
    const change = (newPassword: string, currentPassword = u.password) => call<{ code: string; details?: { rule: string } }>(platform, 'POST', '/auth/password', { token: a, body: { currentPassword, newPassword } });
    const refusals: Array<[string, string]> = [
      ['short-pw', 'length'],
      ['x'.repeat(129), 'length'],
      ['margaret-is-great-1', 'username'],
      ['MARGARET2000xyz', 'username'],
      ['aaaaaaaaaaaaaaaa', 'trivial'],
      ['qwertyuiop123', 'common'],
      ['Password2024!', 'common'],
      ['!!Sunshine123456', 'common'],
      [u.password, 'reuse'],
    ];
    for (const [pw, rule] of refusals) {
      const r = await change(pw);
      assert.equal(r.status, 422, `${pw}: ${JSON.stringify(r.body)}`);
      assert.deepEqual([r.body.code, r.body.details?.rule], ['password_policy', rule], pw);
    }
    const wrong = await change('amber-falcon-meadow-7', 'not-my-password');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.code, 'wrong_password');

    assert.equal((await change('amber-falcon-meadow-7')).status, 200);
    assert.equal((await call(platform, 'GET', '/auth/me', { token: a })).status, 200, 'the session that changed it stays');
    assert.equal((await call(platform, 'GET', '/auth/me', { token: b })).status, 401, 'every other session ends');
    assert.equal((await login(platform, u.username, u.password)).status, 401);
    assert.equal((await login(platform, u.username, 'amber-falcon-meadow-7')).status, 200);
  });

  it('an account with TOTP cannot change its password before giving the code', async () => {
    const u = await localUser(platform, ['support_l1']);
    const t = (await login(platform, u.username, u.password)).body.token;
    await enrolTotp(platform, t);
    const l = await login(platform, u.username, u.password);
    assert.deepEqual(l.body.me.pending, ['verify-totp']);
    const r = await call(platform, 'POST', '/auth/password', { token: l.body.token, body: { currentPassword: u.password, newPassword: 'amber-falcon-meadow-8' } });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'onboarding_required');
    assert.equal((await call(platform, 'GET', '/stations', { token: l.body.token })).status, 403);
  });
});
