// LDAP login (M2) against a real OpenLDAP slapd started by the test: bind-and-search through
// POST /api/v1/auth/login, group → role and scope mapping, group changes reaching the next login
// and open sessions, filter injection, StartTLS and LDAPS with certificate verification, and a
// directory that is down.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client } from 'ldapts';
import type { Config } from '../../src/config/config.js';
import { LdapDirectory, ldapOptionsFrom } from '../../src/domain/identity/ldap-directory.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { apiUser, call } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { GROUPS, PEOPLE, READER_DN, personDn, startSlapd, type Slapd } from '../helpers/slapd.js';

const ROLE_MAP = `cn=ov2x-admins,${GROUPS}=>admin; ov2x-cpo=>cpo_manager; ov2x-support=>support_l2; ov2x-billing=>billing_manager`;
const SCOPE_MAP = 'ov2x-north=>north; ov2x-admins=>*';

interface Me { roles: string[]; groups: string[] | null; name: string }

const login = (p: TestPlatform, username: string, password: string) =>
  call<{ code?: string; token?: string; me?: Me }>(p, 'POST', '/auth/login', { body: { username, password } });
const me = (p: TestPlatform, token: string) => call<Me & { code?: string }>(p, 'GET', '/auth/me', { token });

describe('LDAP login against a real slapd', () => {
  let slapd: Slapd;
  const platforms: TestPlatform[] = [];
  const people: Record<string, string> = {};

  /** a platform logging in against the test slapd, StartTLS by default */
  async function platform(o: Partial<Config> = {}): Promise<TestPlatform> {
    const p = await startTestPlatform({
      ldapUrl: slapd.url, ldapStartTls: true, ldapCaFile: slapd.caFile, ldapBaseDn: PEOPLE,
      ldapBindDn: READER_DN, ldapBindPassword: slapd.readerPassword, ldapRoleMap: ROLE_MAP, ldapScopeMap: SCOPE_MAP,
      ldapRefresh: 3600, ...o,
    });
    platforms.push(p);
    return p;
  }

  async function person(uid: string, groups: string[]): Promise<string> {
    const password = `pw-${uid}-${Math.random().toString(36).slice(2)}`;
    await slapd.addPerson({ uid, password, displayName: `Test ${uid}` });
    for (const g of groups) await slapd.setMember(g, uid, true);
    people[uid] = password;
    return password;
  }

  before(async () => {
    slapd = await startSlapd();
    await person('alice', ['ov2x-admins']);
    await person('carol', ['ov2x-cpo', 'ov2x-north']);
    await person('sam', ['ov2x-support']);
    await person('nick', ['unrelated']);
    await person('dave', ['ov2x-cpo']);
    await person('eve', ['ov2x-support']);
    await person('al*', ['ov2x-billing']);
  });
  after(async () => {
    for (const p of platforms) await p.stop();
    await slapd?.close();
  });

  describe('StartTLS, groups from memberOf, refresh only at login', () => {
    let p: TestPlatform;
    before(async () => { p = await platform(); });

    test('the right password opens a session with the mapped role and scope', async () => {
      const a = await login(p, 'alice', people.alice!);
      assert.equal(a.status, 200);
      assert.deepEqual(a.body.me!.roles, ['admin']);
      assert.equal(a.body.me!.groups, null, 'a group mapped to * sees every station');
      const c = await login(p, 'carol', people.carol!);
      assert.equal(c.status, 200);
      assert.deepEqual(c.body.me!.roles, ['cpo_manager']);
      assert.deepEqual(c.body.me!.groups, ['north']);
      const s = await login(p, 'sam', people.sam!);
      assert.deepEqual(s.body.me!.roles, ['support_l2']);
      assert.deepEqual(s.body.me!.groups, [], 'with a scope map, no scope group = no station');
      const who = await me(p, c.body.token!);
      assert.equal(who.status, 200);
      assert.deepEqual(who.body.roles, ['cpo_manager']);
      const row = await p.repos.users.byUsername('carol');
      assert.equal(row?.source, 'ldap');
      assert.equal(row?.passwordHash, null, 'the directory keeps the password');
      assert.equal(row?.displayName, 'Test carol');
    });

    test('a wrong password gets the same 401 as a local wrong password', async () => {
      const local = await apiUser(p, ['support_l1']);
      const localWrong = await login(p, local.username, 'not-the-password');
      const ldapWrong = await login(p, 'sam', 'not-the-password');
      const unknown = await login(p, 'nobody-here', 'whatever');
      assert.equal(ldapWrong.status, 401);
      assert.deepEqual(ldapWrong.body, localWrong.body);
      assert.deepEqual(unknown.body, localWrong.body);
    });

    test('a user in no mapped group is refused', async () => {
      const r = await login(p, 'nick', people.nick!);
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'invalid_credentials');
      assert.equal(await p.repos.users.byUsername('nick'), undefined, 'no account row for a refused user');
    });

    test('filter injection finds nobody', async () => {
      // unescaped, "al*" would match alice alone and log in with her password
      for (const username of ['al*', 'a*', '*', '*)(uid=*', 'alice)(|(uid=*', 'alice\\', '*)(objectClass=*))(|(uid=*']) {
        const r = await login(p, username, people.alice!);
        assert.equal(r.status, 401, `username ${JSON.stringify(username)}`);
        assert.equal(r.body.code, 'invalid_credentials');
      }
      // the uid that really is "al*" is found as itself
      const real = await login(p, 'al*', people['al*']!);
      assert.equal(real.status, 200);
      assert.deepEqual(real.body.me!.roles, ['billing_manager']);
    });

    test('a group change takes effect at the next login', async () => {
      const first = await login(p, 'dave', people.dave!);
      assert.deepEqual(first.body.me!.roles, ['cpo_manager']);
      await slapd.setMember('ov2x-cpo', 'dave', false);
      await slapd.setMember('ov2x-support', 'dave', true);
      // this platform re-reads the directory only after an hour: the open session keeps its role
      assert.deepEqual((await me(p, first.body.token!)).body.roles, ['cpo_manager']);
      const second = await login(p, 'dave', people.dave!);
      assert.equal(second.status, 200);
      assert.deepEqual(second.body.me!.roles, ['support_l2']);
      assert.deepEqual((await me(p, second.body.token!)).body.roles, ['support_l2']);
      await slapd.setMember('ov2x-support', 'dave', false);
      assert.equal((await login(p, 'dave', people.dave!)).status, 401, 'out of every mapped group: no login');
    });

    test('a local account of the same name is not taken over by the directory', async () => {
      const local = await apiUser(p, ['support_l1'], { username: 'shadowed' });
      await person('shadowed', ['ov2x-admins']);
      assert.equal((await login(p, 'shadowed', people.shadowed!)).status, 401);
      const own = await login(p, 'shadowed', local.password);
      assert.equal(own.status, 200);
      assert.deepEqual(own.body.me!.roles, ['support_l1']);
    });
  });

  describe('LDAPS, groups by search, refresh at every request', () => {
    let p: TestPlatform;
    before(async () => {
      p = await platform({ ldapUrl: slapd.ldapsUrl, ldapStartTls: false, ldapGroupBaseDn: GROUPS, ldapRefresh: 0 });
    });

    test('login over LDAPS with groups found by (member={dn})', async () => {
      const r = await login(p, 'carol', people.carol!);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.me!.roles, ['cpo_manager']);
      assert.deepEqual(r.body.me!.groups, ['north']);
      assert.equal((await login(p, 'nick', people.nick!)).status, 401);
    });

    test('an open session follows a group change, and ends when the user leaves every mapped group', async () => {
      const r = await login(p, 'eve', people.eve!);
      assert.deepEqual(r.body.me!.roles, ['support_l2']);
      await slapd.setMember('ov2x-billing', 'eve', true);
      await slapd.setMember('ov2x-support', 'eve', false);
      const now = await me(p, r.body.token!);
      assert.equal(now.status, 200);
      assert.deepEqual(now.body.roles, ['billing_manager']);
      await slapd.setMember('ov2x-billing', 'eve', false);
      assert.equal((await me(p, r.body.token!)).status, 401);
      assert.equal((await login(p, 'eve', people.eve!)).status, 401);
    });

    test('slapd down: login answers 503 directory_unavailable, open sessions keep their last roles, and it recovers', async () => {
      const open = await login(p, 'sam', people.sam!);
      assert.equal(open.status, 200);
      await slapd.stop();
      try {
        const r = await login(p, 'sam', people.sam!);
        assert.equal(r.status, 503);
        assert.equal(r.body.code, 'directory_unavailable');
        assert.ok(!JSON.stringify(r.body).includes(people.sam!));
        const [attempt] = await p.services.identity.audit.list({ limit: 1, offset: 0, action: 'auth.login', actor: 'sam' });
        assert.deepEqual([attempt?.result, attempt?.details.reason], ['failure', 'directory_unavailable']);
        const still = await me(p, open.body.token!);
        assert.equal(still.status, 200);
        assert.deepEqual(still.body.roles, ['support_l2']);
        // local accounts do not depend on the directory
        const local = await apiUser(p, ['support_l1']);
        assert.equal((await login(p, local.username, local.password)).status, 200);
      } finally {
        await slapd.start();
      }
      assert.equal((await login(p, 'sam', people.sam!)).status, 200);
    });
  });

  describe('certificate verification', () => {
    test('LDAPS against a server certificate of an untrusted CA is refused with 503', async () => {
      const p = await platform({ ldapUrl: slapd.ldapsUrl, ldapStartTls: false, ldapCaFile: slapd.untrustedCaFile });
      const r = await login(p, 'alice', people.alice!);
      assert.equal(r.status, 503);
      assert.equal(r.body.code, 'directory_unavailable');
    });

    test('StartTLS against a server certificate of an untrusted CA is refused', async () => {
      const dir = new LdapDirectory(options({ ldapCaFile: slapd.untrustedCaFile }), silentLogger);
      await assert.rejects(dir.authenticate('alice', people.alice!), { code: 'directory_unavailable' });
    });

    test('without a CA file the system CAs are used, and the test CA is not among them', async () => {
      const dir = new LdapDirectory(options({ ldapUrl: slapd.ldapsUrl, ldapStartTls: false, ldapCaFile: undefined }), silentLogger);
      await assert.rejects(dir.authenticate('alice', people.alice!), { code: 'directory_unavailable' });
    });

    test('StartTLS with the test CA', async () => {
      const dir = new LdapDirectory(options({}), silentLogger);
      assert.deepEqual((await dir.authenticate('alice', people.alice!))?.roles, ['admin']);
    });
  });

  describe('the directory client itself', () => {
    test('an empty password is refused before any bind (the server here would accept it)', async () => {
      // the pitfall is live on this server: a DN with an empty password binds
      const raw = new Client({ url: slapd.url });
      try {
        await raw.bind(personDn('alice'), '');
      } finally {
        await raw.unbind();
      }
      const dir = new LdapDirectory(options({}), silentLogger);
      assert.equal(await dir.authenticate('alice', ''), undefined);
      assert.equal(await dir.authenticate('', people.alice!), undefined);
    });

    test('a wrong service-account password makes the directory unavailable, not the user wrong', async () => {
      const dir = new LdapDirectory(options({ ldapBindPassword: 'wrong' }), silentLogger);
      await assert.rejects(dir.authenticate('alice', people.alice!), { code: 'directory_unavailable' });
    });

    test('a server that accepts connections but never answers runs into the timeouts', async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((s) => { sockets.add(s); });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        for (const o of [{ ldapUrl: `ldap://127.0.0.1:${port}`, ldapStartTls: false }, { ldapUrl: `ldap://127.0.0.1:${port}` }, { ldapUrl: `ldaps://127.0.0.1:${port}`, ldapStartTls: false }]) {
          const dir = new LdapDirectory(options({ ...o, ldapConnectTimeout: 200, ldapTimeout: 200 }), silentLogger);
          await assert.rejects(dir.authenticate('alice', people.alice!), { code: 'directory_unavailable' }, o.ldapUrl);
        }
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    test('lookup reads the current groups without a password', async () => {
      const dir = new LdapDirectory(options({}), silentLogger);
      assert.deepEqual(await dir.lookup('carol'), { username: 'carol', displayName: 'Test carol', roles: ['cpo_manager'], groups: ['north'] });
      assert.equal(await dir.lookup('nick'), undefined);
      assert.equal(await dir.lookup('*'), undefined);
    });
  });

  function options(o: Partial<Config>) {
    const config: Config = {
      ...loadConfig({}, {}), ldapUrl: slapd.url, ldapStartTls: true, ldapCaFile: slapd.caFile, ldapBaseDn: PEOPLE,
      ldapBindDn: READER_DN, ldapBindPassword: slapd.readerPassword, ldapRoleMap: ROLE_MAP, ldapScopeMap: SCOPE_MAP, ...o,
    };
    return ldapOptionsFrom(config)!;
  }
});
