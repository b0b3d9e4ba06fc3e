import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** HKDF info label of the CA key-encryption key; a new purpose gets a new label, never this one. */
const KEK_INFO = 'ov2x/pki/ca-key-encryption/v1';
const VERSION = 'v1';

/**
 * Encrypts CA private keys at rest (docs/adr/0005-key-hierarchy.md): AES-256-GCM under a
 * key-encryption key derived with HKDF-SHA-256 from the server secret. The label the key is
 * sealed for (e.g. the CA role) is authenticated data, so a blob cannot be moved to another row.
 */
export class KeyVault {
  private readonly kek: Buffer;

  constructor(serverSecret: Buffer) {
    this.kek = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), KEK_INFO, 32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
  seal(plaintext: Buffer, label: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv).setAAD(Buffer.from(label));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Throws (without details) when the blob is malformed, was sealed for another label or under another secret. */
  open(blob: string, label: string): Buffer {
    const [version, iv, tag, ct] = blob.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('unsupported encrypted key format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.kek, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(label));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
    } catch {
      throw new Error('the CA key cannot be decrypted: the server secret is not the one it was stored under');
    }
  }
}
