// @peculiar/x509 resolves its algorithm providers through tsyringe, which refuses to load without
// a Reflect metadata API. Those providers take no constructor arguments, so "no metadata" is
// all tsyringe ever reads; the reflect-metadata package is not a dependency of OV2X.
// Imported for its side effect before @peculiar/x509 (ESM evaluates imports in order).
const reflect = Reflect as unknown as Record<string, unknown>;
reflect.getMetadata ??= () => undefined;
reflect.getOwnMetadata ??= () => undefined;
reflect.defineMetadata ??= () => undefined;
export {};
