/**
 * Payment references (issue 6, P3): the platform stores the payment provider's token for a
 * customer's payment means (a PSP customer, mandate or payment-method id), never a card number
 * — holding a PAN would bring the whole platform into PCI DSS scope. Anything that looks like one
 * is refused before it is encrypted, so a mistaken paste never reaches the database or a backup.
 */

/** A PSP token: 3–128 printable ASCII characters without spaces (e.g. `pm_1Nv…`, `cus_…`, `MDT-…`). */
const PSP_TOKEN = /^[\x21-\x7e]{3,128}$/;

/** Luhn (ISO/IEC 7812-1) check over a string of digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Whether a value contains something that looks like a card number: a run of 12–19 digits
 * (single spaces or dashes between them allowed, as printed on cards) that passes Luhn. Runs
 * inside the value count too, so `card 4111 1111 1111 1111` is caught. Windows inside longer
 * runs are not tried: one in ten random digit strings passes Luhn, so that would refuse many
 * numeric PSP ids while a PAN is never glued to further digits.
 */
export function looksLikeCardNumber(value: string): boolean {
  return (value.match(/\d(?:[ -]?\d)*/g) ?? []).some((run) => {
    const digits = run.replace(/[ -]/g, '');
    return digits.length >= 12 && digits.length <= 19 && luhn(digits);
  });
}

export type PaymentReferenceProblem = 'card_number' | 'format';

/** Why a payment reference is refused, or undefined when it is an acceptable PSP token. */
export function checkPaymentReference(value: string): PaymentReferenceProblem | undefined {
  if (looksLikeCardNumber(value)) return 'card_number';
  if (!PSP_TOKEN.test(value)) return 'format';
  return undefined;
}
