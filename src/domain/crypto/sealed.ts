import { createCipheriv, createDecipheriv, createPrivateKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/** Encrypts secrets at rest: AES-256-GCM under a key derived from the server secret for one purpose. */
export interface Sealer {
  /**
   * `v1.<iv>.<tag>.<ciphertext>`, base64url parts, a fresh 96-bit IV every time. `binding` (e.g.
   * the row's role or serial) is authenticated, so a box cannot be moved to another row.
   */
  seal(plain: Buffer | string, binding?: string): string;
  /** throws, without details, when the box was altered or sealed for another purpose, binding or server secret */
  open(sealed: string, binding?: string): Buffer;
}

/**
 * One key per purpose (HKDF-SHA-256, info `ov2x:<purpose>`), so a key leaked from one use
 * opens nothing else; rotating the server secret means re-sealing (ADR 0005).
 */
export function deriveKey(serverSecret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `ov2x:${purpose}`, 32));
}

/** AES-256-GCM sealing under the purpose's own key; the purpose and a binding are authenticated. */
export function sealer(serverSecret: Buffer, purpose: string): Sealer {
  const key = deriveKey(serverSecret, purpose);
  const aad = (binding: string) => Buffer.from(`${purpose}\n${binding}`);
  return {
    seal(plain, binding = '') {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(binding));
      const body = Buffer.concat([c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), c.final()]);
      return ['v1', iv, c.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, binding = '') {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed box');
      try {
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(aad(binding));
        d.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]);
      } catch {
        throw new Error('a sealed secret cannot be opened: it was altered, or sealed for another purpose, row or server secret');
      }
    },
  };
}

/** A private key sealed as PKCS#8 DER. */
export const sealKey = (s: Sealer, key: KeyObject, binding: string): string => s.seal(key.export({ type: 'pkcs8', format: 'der' }), binding);

export const openKey = (s: Sealer, sealed: string, binding: string): KeyObject =>
  createPrivateKey({ key: s.open(sealed, binding), format: 'der', type: 'pkcs8' });
