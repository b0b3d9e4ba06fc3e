import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { escapeFilterValue, fillFilter, ldapOptionsFrom, parseGroupMap } from '../../src/domain/identity/ldap-directory.js';

const base = { OV2X_LDAP_URL: 'ldaps://ldap.example.org', OV2X_LDAP_BASE_DN: 'ou=people,dc=example,dc=org', OV2X_LDAP_ROLE_MAP: 'ov2x-admins=>admin' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    ldapOptionsFrom(loadConfig({}, { ...base, ...env }));
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
}

describe('LDAP settings', () => {
  it('escapes filter values per RFC 4515', () => {
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('a\\b\0c'), 'a\\5cb\\00c');
    assert.equal(escapeFilterValue('jürgen.o\'neil'), 'jürgen.o\'neil');
    assert.equal(fillFilter('(&(objectClass=person)(|(uid={username})(mail={username})))', { username: 'x*' }), '(&(objectClass=person)(|(uid=x\\2a)(mail=x\\2a)))');
    assert.equal(fillFilter('(member={dn})', { dn: 'cn=a\\, b,dc=x' }), '(member=cn=a\\5c, b,dc=x)');
  });

  it('parses group maps whose DNs hold = and ,', () => {
    assert.deepEqual(parseGroupMap('cn=OV2X-Admins, ou=groups,dc=example,dc=org=>admin; ov2x-cpo=>cpo_manager,support_l2;', 'X'), [
      { group: 'cn=ov2x-admins,ou=groups,dc=example,dc=org', values: ['admin'] },
      { group: 'ov2x-cpo', values: ['cpo_manager', 'support_l2'] },
    ]);
    assert.deepEqual(parseGroupMap('cn=a\\;b,dc=x=>admin', 'X'), [{ group: 'cn=a\\;b,dc=x', values: ['admin'] }]);
    assert.throws(() => parseGroupMap('cn=admins,dc=x=admin', 'X'), ConfigError);
    assert.throws(() => parseGroupMap('=>admin', 'X'), ConfigError);
    assert.throws(() => parseGroupMap('admins=>', 'X'), ConfigError);
  });

  it('is off without a URL and checks the rest when on', () => {
    assert.equal(ldapOptionsFrom(loadConfig({}, {})), undefined);
    const o = ldapOptionsFrom(loadConfig({}, base))!;
    assert.equal(o.userFilter, '(uid={username})');
    assert.equal(o.scopeMap, undefined);
    assert.deepEqual(problemsOf({}), []);
  });

  it('refuses unsafe or incomplete settings, each with its reason and never the bind password', () => {
    const p = problemsOf({
      OV2X_LDAP_URL: 'ldap://ldap.example.org', OV2X_LDAP_BASE_DN: '', OV2X_LDAP_ROLE_MAP: 'g1=>root;g2=>dso',
      OV2X_LDAP_USER_FILTER: '(uid=alice)', OV2X_LDAP_BIND_DN: 'cn=svc,dc=x', OV2X_LDAP_CA_FILE: '/nonexistent/ca.pem',
    });
    assert.ok(p.some((x) => x.includes('sends passwords in clear')), p.join('\n'));
    assert.ok(p.some((x) => x.startsWith('OV2X_LDAP_BASE_DN')));
    assert.ok(p.some((x) => x.includes('"root" is not a role')));
    assert.ok(p.some((x) => x.includes('dso is a machine role')));
    assert.ok(p.some((x) => x.includes('must contain {username}')));
    assert.ok(p.some((x) => x.startsWith('OV2X_LDAP_BIND_PASSWORD')));
    assert.ok(p.some((x) => x.startsWith('OV2X_LDAP_CA_FILE')));
    assert.ok(problemsOf({ OV2X_LDAP_URL: 'ldaps://h', OV2X_LDAP_STARTTLS: 'true' }).some((x) => x.includes('StartTLS is for ldap://')));
    assert.ok(problemsOf({ OV2X_LDAP_URL: 'http://h' }).some((x) => x.includes('must be ldap://')));
    assert.ok(problemsOf({ OV2X_LDAP_ROLE_MAP: '' }).some((x) => x.includes('no role, no login')));
    assert.deepEqual(problemsOf({ OV2X_LDAP_URL: 'ldap://ldap.example.org', OV2X_LDAP_STARTTLS: 'true' }), []);
    assert.deepEqual(problemsOf({ OV2X_LDAP_URL: 'ldap://127.0.0.1:3389' }), [], 'clear text to this host is allowed');
    const secret = problemsOf({ OV2X_LDAP_BIND_DN: 'cn=svc', OV2X_LDAP_BIND_PASSWORD: 's3cret-pw', OV2X_LDAP_URL: 'bad' });
    assert.ok(!secret.join().includes('s3cret-pw'));
  });
});
