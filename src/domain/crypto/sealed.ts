import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Encrypts secrets at rest: AES-256-GCM under a key derived from the server secret for one purpose. */
export interface Sealer {
  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; a fresh 96-bit IV every time */
  seal(plain: Buffer | string): string;
  /** throws when the box was altered or sealed for another purpose or server secret */
  open(sealed: string): Buffer;
}

/**
 * One key per purpose (HKDF-SHA-256, info `ov2x:<purpose>`), so a key leaked from one use
 * opens nothing else; rotating the server secret means re-sealing (see ADR 0005).
 */
export function sealer(serverSecret: Buffer, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `ov2x:${purpose}`, 32));
  const aad = Buffer.from(purpose);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      const body = Buffer.concat([c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), c.final()]);
      return ['v1', iv, c.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed box');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(aad);
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]);
    },
  };
}
