import type { BillingAddress, Customer } from './customer-service.js';

/**
 * Masked views of a customer's personal fields (issue 6): enough for support to recognize a
 * caller ("J*** D***", "j***@example.com", "…67"), not enough to learn who they are. Seeing a
 * field in clear takes customers:reveal and leaves an audit record.
 */
export const maskName = (name: string): string =>
  name.trim().split(/\s+/).filter(Boolean).map((w) => `${[...w][0] ?? ''}***`).join(' ');

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${[...email.slice(0, at)][0] ?? ''}***${email.slice(at)}`;
}

/** the last two digits, as a caller reads them out */
export const maskPhone = (phone: string): string => `***${phone.replace(/\D/g, '').slice(-2)}`;

/** the country only: the street and city pinpoint a household */
export const maskAddress = (a: BillingAddress): { country: string } => ({ country: a.country });

/** the last four characters, as card slips do: enough to tell two references apart */
export const maskPaymentReference = (ref: string): string => `***${ref.length > 8 ? ref.slice(-4) : ''}`;

export interface MaskedCustomer {
  name: string | null;
  email: string | null;
  phone: string | null;
  billingAddress: { country: string } | null;
  paymentReference: string | null;
}

export function masked(c: Customer): MaskedCustomer {
  return {
    name: c.name === undefined ? null : maskName(c.name),
    email: c.email === undefined ? null : maskEmail(c.email),
    phone: c.phone === undefined ? null : maskPhone(c.phone),
    billingAddress: c.billingAddress === undefined ? null : maskAddress(c.billingAddress),
    paymentReference: c.paymentReference === undefined ? null : maskPaymentReference(c.paymentReference),
  };
}
