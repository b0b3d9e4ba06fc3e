import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonPasswords } from '../../src/domain/identity/common-passwords.js';
import { checkPassword } from '../../src/domain/identity/password-policy.js';

describe('password policy', () => {
  const rule = (pw: string, user = 'alice') => checkPassword(pw, user)?.rule;

  it('accepts long passwords and passphrases that are not on the list', () => {
    for (const pw of ['violet-harbour-lantern-42', 'correct horse battery stable', 'Tz9#qL2!vW8@mN4$', 'x'.repeat(11) + 'yzw', 'ä'.repeat(6) + 'öüß€µ¢£'])
      assert.equal(checkPassword(pw, 'alice'), undefined, pw);
  });

  it('counts characters, not bytes: 12 to 128', () => {
    assert.equal(rule('abcdefghij1'), 'length');
    assert.equal(rule('€'.repeat(11)), 'length');
    assert.equal(rule('a1b2c3d4e5f6'.repeat(10) + 'x'.repeat(9)), 'length');
    assert.equal(rule('a1b2c3d4e5f6'.repeat(10) + 'x'.repeat(8)), undefined);
  });

  it('refuses the username inside, in any case', () => {
    assert.equal(rule('my-name-is-ALICE!', 'alice'), 'username');
    assert.equal(rule('alice.cooper.rocks', 'Alice'), 'username');
  });

  it('refuses common and breached passwords, also decorated with digits and symbols', () => {
    for (const pw of ['password1234', 'Qwerty123456', 'correcthorsebatterystaple', '123456789012', 'P@ssw0rd1234', '2024football2024!', '!!!iloveyou!!!']) assert.equal(rule(pw), 'common', pw);
    assert.equal(rule('aaaaaaaaaaaaaaaa'), 'trivial');
    assert.equal(rule('abababababababab'), 'trivial');
  });

  it('the bundled list has hundreds of entries, lower-case, one a line, no duplicates', () => {
    const list = commonPasswords.split('\n').filter(Boolean);
    assert.ok(list.length >= 500, `${list.length} entries`);
    assert.equal(new Set(list).size, list.length);
    assert.ok(list.every((p) => p === p.toLowerCase()));
  });
});
