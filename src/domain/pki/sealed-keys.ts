// Private keys at rest: AES-256-GCM under a key derived from the server secret with
// HKDF-SHA-256, one `info` label per use, so a key sealed for one purpose opens for no other.
import { createCipheriv, createDecipheriv, createPrivateKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const VERSION = 'v1';

export class KeySealer {
  private readonly key: Buffer;

  constructor(serverSecret: Buffer, info: string) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), info, 32));
  }

  /** Seals a private key as `v1:<base64 iv|tag|ciphertext>`; `binding` (e.g. the serial) must be given again to open it. */
  seal(key: KeyObject, binding: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(binding));
    const sealed = Buffer.concat([cipher.update(key.export({ type: 'pkcs8', format: 'der' })), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  /** Throws a message without key material when the seal is damaged or was made under another secret. */
  open(sealed: string, binding: string): KeyObject {
    const [version, body] = sealed.split(':');
    const raw = Buffer.from(body ?? '', 'base64');
    if (version !== VERSION || raw.length < 29) throw new Error('sealed key has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12)).setAAD(Buffer.from(binding));
      decipher.setAuthTag(raw.subarray(12, 28));
      const der = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      throw new Error('sealed key does not open under this server secret');
    }
  }
}
