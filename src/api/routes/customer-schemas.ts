import { Type, type Static } from '@sinclair/typebox';
import type { Customer } from '../../domain/customers/customer-service.js';
import { CustomerRefused } from '../../domain/customers/customer-service.js';
import { masked } from '../../domain/customers/masking.js';
import { DuplicateError } from '../../store/errors.js';
import type { CustomerConsentEvent } from '../../store/schema.js';
import { ApiError } from '../errors.js';
import { DateTime, NullableDateTime } from '../schemas.js';

/** Schemas and views shared by the CRM routes and the customer-facing /me routes. */

export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Email = Type.String({ pattern: '^[^\\s@]{1,64}@[^\\s@]+\\.[^\\s@]+$', maxLength: 254 });
export const Phone = Type.String({ pattern: '^\\+?[0-9 ()./-]{3,32}$' });
export const BillingAddress = Type.Object({
  line1: Type.String({ minLength: 1, maxLength: 200 }),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  postalCode: Type.String({ minLength: 1, maxLength: 20 }),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
}, { additionalProperties: false });
export const PaymentReference = Type.String({
  minLength: 1, maxLength: 128,
  description: 'the payment provider\'s token (customer, mandate or payment-method id); a card number is refused (422 card_number)',
});
export const ConsentName = Type.String({ pattern: '^[a-z][a-z0-9._-]{0,63}$', description: 'e.g. `terms`, `marketing-email`' });
export const ConsentChanges = Type.Array(Type.Object({
  consent: ConsentName,
  granted: Type.Boolean(),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'version of the consent text shown' })),
}, { additionalProperties: false }), { minItems: 1, maxItems: 20 });

const Consent = Type.Object({ granted: Type.Boolean(), at: DateTime, version: Type.Optional(Type.String()) });
export const Consents = Type.Record(Type.String(), Consent);
export const ConsentsView = Type.Object({
  consents: Consents,
  history: Type.Array(Type.Object({ consent: Type.String(), granted: Type.Boolean(), version: Type.Union([Type.String(), Type.Null()]), at: DateTime, recordedBy: Type.String() })),
});

const Common = {
  id: Type.Integer(),
  reference: Type.String({ description: 'customer number (`C-…`), random, not personal' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('erased')]),
  consents: Consents,
  createdAt: DateTime,
  updatedAt: DateTime,
  erasedAt: NullableDateTime,
};
const NullableStr = Type.Union([Type.String(), Type.Null()]);

export const MaskedCustomerView = Type.Object({
  ...Common,
  name: NullableStr,
  email: NullableStr,
  phone: NullableStr,
  billingAddress: Type.Union([Type.Object({ country: Type.String() }), Type.Null()]),
  paymentReference: NullableStr,
}, { description: 'A customer with personal fields masked (e.g. "J*** D***", "j***@example.com")' });

export const CustomerView = Type.Object({
  ...Common,
  name: NullableStr,
  email: NullableStr,
  phone: NullableStr,
  billingAddress: Type.Union([BillingAddress, Type.Null()]),
  paymentReference: NullableStr,
}, { description: 'A customer in clear' });

const common = (c: Customer) => ({
  id: c.id, reference: c.reference, status: c.status, consents: c.consents,
  createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(), erasedAt: c.erasedAt?.toISOString() ?? null,
});

export const maskedView = (c: Customer): Static<typeof MaskedCustomerView> => ({ ...common(c), ...masked(c) });

export const fullView = (c: Customer): Static<typeof CustomerView> => ({
  ...common(c), name: c.name ?? null, email: c.email ?? null, phone: c.phone ?? null, billingAddress: c.billingAddress ?? null, paymentReference: c.paymentReference ?? null,
});

export const consentsView = (c: Customer, history: CustomerConsentEvent[]): Static<typeof ConsentsView> => ({
  consents: c.consents,
  history: history.map((e) => ({ consent: e.consent, granted: e.granted, version: e.version, at: e.at.toISOString(), recordedBy: e.recordedBy })),
});

/** Domain refusals → API answers; never with the refused value in the message. */
export function customerRefused(err: unknown): never {
  if (err instanceof CustomerRefused) throw new ApiError(err.code === 'erased' ? 409 : 422, err.code, err.message);
  if (err instanceof DuplicateError) throw new ApiError(409, 'conflict', 'another customer has this e-mail address');
  throw err;
}
