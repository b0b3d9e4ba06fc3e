/**
 * Keys whose values are personal data or secrets (G4): their values never reach a log line,
 * at whatever depth up to four levels (OCPP payloads nest idToken in idTokenInfo, API bodies
 * nest contact data in objects). `name` is included although it is often harmless: a log line
 * without a label is better than a log line with a driver's name.
 */
export const redactedKeys = [
  // secrets
  'password', 'authorization', 'secret', 'cookie', 'token', 'apiKey',
  // token UIDs and contract ids (OCPP 1.6 idTag, 2.0.1 idToken, groups, reservations)
  'idTag', 'idToken', 'groupIdToken', 'parentIdTag', 'uid', 'emaid', 'customerIdentifier', 'additionalIdToken',
  // people and how to reach them
  'email', 'emailAddress', 'phone', 'phoneNumber', 'name', 'firstName', 'lastName', 'fullName', 'address', 'street', 'postalCode',
  // payment
  'iban', 'paymentReference', 'cardNumber',
] as const;

/** pino `redact` paths: every key at the top level and up to three levels below. */
export const redactionPaths = (keys: readonly string[] = redactedKeys): string[] =>
  keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);
