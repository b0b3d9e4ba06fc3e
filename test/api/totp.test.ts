import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiUser, call } from '../helpers/api.js';
import { enrolTotp, localUser, login, totpCode } from '../helpers/accounts.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('TOTP second factor (RFC 6238)', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await startTestPlatform({ loginMaxFailures: 3, loginLockout: 60 });
  });
  after(() => platform.stop());

  /** A local account with TOTP confirmed, and a fresh login pending the second factor. */
  async function enrolled(roles: Parameters<typeof localUser>[1] = ['support_l1']) {
    const u = await localUser(platform, roles);
    const first = await login(platform, u.username, u.password);
    const factor = await enrolTotp(platform, first.body.token);
    return { ...u, ...factor };
  }
  const pendingLogin = async (u: { username: string; password: string }) => {
    const l = await login(platform, u.username, u.password);
    assert.deepEqual(l.body.me.pending, ['verify-totp']);
    return l.body.token;
  };
  const verify = (token: string, body: Record<string, string>) => call<{ code?: string; me: { pending: string[] }; recoveryCodesLeft: number }>(platform, 'POST', '/auth/totp', { token, body });

  it('enrolment answers the secret and an otpauth URI once; the secret is sealed at rest', async () => {
    const u = await localUser(platform, ['support_l1']);
    const token = (await login(platform, u.username, u.password)).body.token;
    const enrol = await call<{ secret: string; uri: string }>(platform, 'POST', '/auth/totp/enrol', { token });
    assert.equal(enrol.status, 200);
    assert.equal(enrol.headers.get('cache-control'), 'no-store');
    assert.match(enrol.body.secret, /^[A-Z2-7]{32}$/);
    assert.ok(enrol.body.uri.startsWith(`otpauth://totp/OV2X:${u.username}?`) && enrol.body.uri.includes(`secret=${enrol.body.secret}`), enrol.body.uri);
    const row = await platform.repos.users.byId(u.id);
    assert.match(row!.totpSecret!, /^v1\./);
    assert.ok(!row!.totpSecret!.includes(enrol.body.secret));
    assert.equal(row!.totpEnabled, false, 'not on before a code confirms it');

    assert.equal((await call(platform, 'POST', '/auth/totp/confirm', { token, body: { code: '000000' === await totpCode(enrol.body.secret) ? '111111' : '000000' } })).status, 401);
    const ok = await call<{ recoveryCodes: string[] }>(platform, 'POST', '/auth/totp/confirm', { token, body: { code: await totpCode(enrol.body.secret) } });
    assert.equal(ok.status, 200);
    assert.equal(new Set(ok.body.recoveryCodes).size, 10);
    const stored = await platform.repos.users.byId(u.id);
    assert.equal(stored!.recoveryCodes.length, 10);
    for (const c of ok.body.recoveryCodes) assert.ok(!stored!.recoveryCodes.includes(c), 'recovery codes kept only as hashes');
    // enrolled: a second enrolment would replace the factor, so only an administrator's reset allows it
    assert.equal((await call(platform, 'POST', '/auth/totp/enrol', { token })).status, 409);
  });

  it('a code is refused when its time step was already used (replay in the same window)', async () => {
    const u = await enrolled();
    const usedAtConfirm = await totpCode(u.secret);
    const t1 = await pendingLogin(u);
    const replay = await verify(t1, { code: usedAtConfirm });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'invalid_code');
    const next = await totpCode(u.secret, 1);
    const ok = await verify(t1, { code: next });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.me.pending, []);
    assert.equal((await call(platform, 'GET', '/stations', { token: t1 })).status, 200);
    // the same code on another session (an eavesdropper racing the user) is refused too
    const t2 = await pendingLogin(u);
    assert.equal((await verify(t2, { code: next })).status, 401);
    assert.equal((await call(platform, 'GET', '/stations', { token: t2 })).status, 403);
    // a session that passed needs no code
    assert.equal((await verify(t1, { code: next })).status, 409);
  });

  it('a recovery code works once', async () => {
    const u = await enrolled();
    const [code] = u.recoveryCodes;
    const t1 = await pendingLogin(u);
    const ok = await verify(t1, { recoveryCode: code!.toUpperCase() });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.recoveryCodesLeft, 9);
    const t2 = await pendingLogin(u);
    assert.equal((await verify(t2, { recoveryCode: code! })).status, 401);
    assert.equal((await verify(t2, { recoveryCode: u.recoveryCodes[1]! })).status, 200);
    assert.equal((await verify(await pendingLogin(u), { code: '123456', recoveryCode: code! })).status, 400);
  });

  it('wrong codes count toward the lockout; locked, the right code is refused too', async () => {
    const u = await enrolled();
    const t = await pendingLogin(u);
    const right = await totpCode(u.secret, 1);
    const wrong = right === '000000' ? '000001' : '000000';
    for (let i = 0; i < 3; i++) assert.equal((await verify(t, { code: wrong })).status, 401);
    assert.equal((await verify(t, { code: right })).status, 401);
    assert.equal((await verify(t, { recoveryCode: u.recoveryCodes[0]! })).status, 401);
    assert.equal((await login(platform, u.username, u.password)).status, 401, 'the account is locked for password logins too');
    // a right password in between does not wipe the count: failures go on counting until the second factor passes
    const row = await platform.repos.users.byId(u.id);
    assert.ok(row!.failedLogins >= 3 && row!.lockedUntil! > new Date());
  });

  it('an administrator must enrol; 2FA is reset only by another administrator, which ends the sessions', async () => {
    const a = await enrolled(['admin']);
    const other = await apiUser(platform, ['admin']);
    const support = await apiUser(platform, ['support_l2']);
    const t = await pendingLogin(a);
    assert.equal((await verify(t, { code: await totpCode(a.secret, 1) })).status, 200);

    const self = await call(platform, 'POST', `/users/${a.id}/reset-2fa`, { token: t });
    assert.equal(self.status, 409);
    assert.equal(self.body.code, 'self');
    assert.equal((await call(platform, 'POST', `/users/${a.id}/reset-2fa`, { token: support.token })).status, 403);
    assert.equal((await call(platform, 'POST', '/users/999999/reset-2fa', { token: other.token })).status, 404);
    const reset = await call<{ totpEnabled: boolean }>(platform, 'POST', `/users/${a.id}/reset-2fa`, { token: other.token });
    assert.equal(reset.status, 200);
    assert.equal(reset.body.totpEnabled, false);
    assert.equal((await call(platform, 'GET', '/auth/me', { token: t })).status, 401, 'the reset ends the account\'s sessions');
    const row = await platform.repos.users.byId(a.id);
    assert.deepEqual([row!.totpSecret, row!.recoveryCodes], [null, []]);

    // next sign-in: an admin without a factor must enrol again before anything else
    const l = await login(platform, a.username, a.password);
    assert.deepEqual(l.body.me.pending, ['enrol-totp']);
    assert.equal((await call(platform, 'GET', '/users', { token: l.body.token })).status, 403);
    await enrolTotp(platform, l.body.token);
    assert.equal((await call(platform, 'GET', '/users', { token: l.body.token })).status, 200);

    const audit = await platform.services.identity.audit.list({ limit: 100, offset: 0, action: 'user.reset-2fa' });
    assert.ok(audit.some((r) => r.actor === `user:${a.id}` && r.result === 'failure'), 'the refused self-reset is on record');
    assert.ok(audit.some((r) => r.actor === `user:${support.userId}` && r.result === 'denied'));
    assert.ok(audit.some((r) => r.actor === `user:${other.userId}` && r.result === 'success' && r.target === String(a.id)));
  });

  it('a non-admin may go without TOTP', async () => {
    const u = await localUser(platform, ['billing_manager']);
    const l = await login(platform, u.username, u.password);
    assert.deepEqual(l.body.me.pending, []);
  });
});
