import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sealer } from '../../src/domain/crypto/sealed.js';

describe('sealed boxes (secrets at rest)', () => {
  const secret = randomBytes(32);

  it('round-trips, with a fresh IV each time and no plaintext in the box', () => {
    const s = sealer(secret, 'test');
    const a = s.seal('correct horse battery staple');
    const b = s.seal('correct horse battery staple');
    assert.notEqual(a, b);
    assert.ok(!a.includes('horse') && !Buffer.from(a.split('.')[3]!, 'base64url').toString().includes('horse'));
    assert.equal(s.open(a).toString(), 'correct horse battery staple');
  });

  it('refuses a box that was altered, sealed for another purpose, or under another server secret', () => {
    const box = sealer(secret, 'test').seal('x');
    const [v, iv, tag, body] = box.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => sealer(secret, 'test').open([v, iv, tag, flipped.toString('base64url')].join('.')));
    assert.throws(() => sealer(secret, 'other').open(box));
    assert.throws(() => sealer(randomBytes(32), 'test').open(box));
    assert.throws(() => sealer(secret, 'test').open('garbage'), /not a sealed box/);
  });
});
