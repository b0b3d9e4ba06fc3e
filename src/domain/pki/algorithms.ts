import type { webcrypto } from 'node:crypto';
import { createPublicKey, type KeyObject } from 'node:crypto';

/** The CA key algorithms `ov2x pki init` offers (CR1: ECDSA P-256+ or RSA 3072+). */
export const caAlgorithms = {
  'ec-p256': { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  'ec-p384': { generate: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } },
  'rsa-3072': { generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
  'rsa-4096': { generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
} as const;

export type CaAlgorithmName = keyof typeof caAlgorithms;
export const caAlgorithmNames = Object.keys(caAlgorithms) as CaAlgorithmName[];

const curves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** How to import a key for WebCrypto signing, and the signature algorithm, from the key itself. */
export function signingParams(key: KeyObject): { importAs: webcrypto.Algorithm | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams; sign: webcrypto.Algorithm | webcrypto.EcdsaParams } {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && d.namedCurve && curves[d.namedCurve]) {
    const namedCurve = curves[d.namedCurve]!;
    return { importAs: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash: namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as webcrypto.EcdsaParams };
  }
  if (key.asymmetricKeyType === 'rsa' && (d.modulusLength ?? 0) >= 3072) {
    return { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams, sign: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  throw new Error(`a CA key must be ECDSA P-256/P-384 or RSA of at least 3072 bits, not ${describeKey(key)}`);
}

export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return `EC ${d.namedCurve ?? 'unknown curve'}`;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d.modulusLength ?? '?'} bits`;
  return key.asymmetricKeyType ?? 'an unknown key type';
}

/**
 * Station keys the sub-CA certifies, per certificate type. Station (TLS client) keys follow
 * CR1: ECDSA P-256/P-384 or RSA ≥ 3072. V2G (SECC) keys are ECDSA only, as ISO 15118-2 uses
 * secp256r1 (P-384 admitted for ISO 15118-20).
 */
const stationKeyPolicy: Record<string, (key: KeyObject) => boolean> = {
  ChargingStationCertificate: (k) => (k.asymmetricKeyType === 'ec' && curves[k.asymmetricKeyDetails?.namedCurve ?? ''] !== undefined)
    || (k.asymmetricKeyType === 'rsa' && (k.asymmetricKeyDetails?.modulusLength ?? 0) >= 3072),
  V2GCertificate: (k) => k.asymmetricKeyType === 'ec' && curves[k.asymmetricKeyDetails?.namedCurve ?? ''] !== undefined,
};

/** Why a CSR's key is refused for `certificateType`, or undefined when it is strong enough. */
export function stationKeyProblem(spki: ArrayBuffer, certificateType: string): string | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return 'the CSR public key is not supported';
  }
  const ok = stationKeyPolicy[certificateType];
  if (!ok) return `certificate type ${certificateType} is not issued`;
  if (ok(key)) return undefined;
  return certificateType === 'V2GCertificate'
    ? `a V2G certificate key must be ECDSA P-256 or P-384, not ${describeKey(key)}`
    : `a station certificate key must be ECDSA P-256/P-384 or RSA of at least 3072 bits, not ${describeKey(key)}`;
}
