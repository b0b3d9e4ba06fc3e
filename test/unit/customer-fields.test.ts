import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPaymentReference, looksLikeCardNumber, luhn } from '../../src/domain/customers/payment-reference.js';
import { maskEmail, maskName, maskPaymentReference, maskPhone } from '../../src/domain/customers/masking.js';

describe('payment references: PSP tokens only, never a card number', () => {
  it('Luhn', () => {
    assert.equal(luhn('4111111111111111'), true);
    assert.equal(luhn('4111111111111112'), false);
    assert.equal(luhn('79927398713'), true);
  });

  it('refuses 12–19 digits passing Luhn, with or without spaces or dashes, alone or inside text', () => {
    for (const pan of [
      '4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '5555555555554444', '378282246310005', '3782 822463 10005',
      '6011000990139424', '4000056655665556', '4222222222222', '6759649826438453',
      'card 4111 1111 1111 1111 exp 12/30', 'pm_4111111111111111',
    ]) {
      assert.equal(looksLikeCardNumber(pan), true, pan);
      assert.equal(checkPaymentReference(pan), 'card_number', pan);
    }
    // 12 and 19 digits are the bounds
    assert.equal(looksLikeCardNumber('123456789015'), luhn('123456789015'));
    assert.equal(looksLikeCardNumber('6304000000000000018'), true, '19 digits (Maestro)');
  });

  it('accepts PSP tokens, short numbers, numbers failing Luhn and digit runs longer than a PAN', () => {
    for (const ok of ['cus_NffrFeUfNV2Hib', 'pm_1NvXk2LkdIwHu7ix', 'MDT-000123', 'mandate_4711', '4111111111111112', '12345678901234567890123', 'sub_123456789']) {
      assert.equal(checkPaymentReference(ok), undefined, ok);
    }
  });

  it('refuses what is not a token (spaces, too short, control characters)', () => {
    for (const bad of ['pm 1234', 'ab', 'x'.repeat(129), 'tok\u0000en']) assert.equal(checkPaymentReference(bad), 'format', JSON.stringify(bad));
  });
});

describe('masked customer fields', () => {
  it('keeps the first letters and the domain, the last phone digits, the last four of a reference', () => {
    assert.equal(maskName('Erika  Mustermann'), 'E*** M***');
    assert.equal(maskName('Élodie'), 'É***');
    assert.equal(maskEmail('erika.mustermann@example.org'), 'e***@example.org');
    assert.equal(maskEmail('no-at-sign'), '***');
    assert.equal(maskPhone('+49 30 1234567'), '***67');
    assert.equal(maskPaymentReference('cus_NffrFeUfNV2Hib'), '***2Hib');
    assert.equal(maskPaymentReference('short'), '***');
  });
});
