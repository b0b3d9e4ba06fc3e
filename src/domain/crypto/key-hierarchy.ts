import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deriveKey } from './sealed.js';

/**
 * Where master keys live. The platform only ever asks it to wrap and unwrap 32-byte data keys,
 * so a KMS (wrap = Encrypt, unwrap = Decrypt) can stand in for the local implementation.
 */
export interface KeyProvider {
  /** the master key new data keys are wrapped under */
  readonly currentId: string;
  /** every master key this provider can still unwrap with (the current one first) */
  readonly ids: readonly string[];
  wrap(dataKey: Buffer, aad: string): Promise<{ masterKeyId: string; wrapped: string }>;
  /** throws, without details, for an unknown master key or an altered box */
  unwrap(masterKeyId: string, wrapped: string, aad: string): Promise<Buffer>;
}

/** A master key's public name: a keyed digest, so it identifies the key without revealing anything of it. */
export const masterKeyId = (key: Buffer): string => `mk_${createHmac('sha256', key).update('ov2x:master-key-id').digest('base64url').slice(0, 12)}`;

/** AES-256-GCM with master keys held in memory: `w1.<iv>.<tag>.<ciphertext>`, the aad authenticated. */
export class LocalKeyProvider implements KeyProvider {
  private readonly keys = new Map<string, Buffer>();
  readonly currentId: string;

  /** `current` wraps; `previous` keys are still accepted for unwrapping while data keys are re-wrapped */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const k of [current, ...previous]) {
      if (k.length !== 32) throw new Error('a master key must be 32 bytes');
      this.keys.set(masterKeyId(k), k);
    }
    this.currentId = masterKeyId(current);
  }

  get ids(): readonly string[] {
    return [...this.keys.keys()];
  }

  wrap(dataKey: Buffer, aad: string): Promise<{ masterKeyId: string; wrapped: string }> {
    const key = this.keys.get(this.currentId) as Buffer;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad));
    const body = Buffer.concat([c.update(dataKey), c.final()]);
    return Promise.resolve({ masterKeyId: this.currentId, wrapped: ['w1', iv, c.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.') });
  }

  unwrap(id: string, wrapped: string, aad: string): Promise<Buffer> {
    const key = this.keys.get(id);
    const [v, iv, tag, body] = wrapped.split('.');
    if (!key || v !== 'w1' || !iv || !tag || body === undefined) return Promise.reject(new Error(`a data key is wrapped under master key ${id}, which is not configured`));
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Promise.resolve(Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]));
    } catch {
      return Promise.reject(new Error('a wrapped data key cannot be opened: it was altered or wrapped under another master key'));
    }
  }
}

/** A master key file holds 32 bytes, base64 or hex encoded (e.g. `openssl rand -base64 32`). */
export function readMasterKeyFile(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`master key file ${file} does not hold 32 bytes (base64 or hex)`);
  return key;
}

/**
 * The master key of personal data: OV2X_MASTER_KEY_FILE when set, else derived from the server
 * secret with HKDF-SHA-256 (info `ov2x:pii-master-key`, the scheme of sealer()), so a default
 * installation needs no extra file. OV2X_MASTER_KEY_PREVIOUS_FILE keeps the old key readable
 * during a rotation (ADR 0005).
 */
export function masterKeysFrom(config: { masterKeyFile?: string; masterKeyPreviousFile?: string }, serverSecret: Buffer): LocalKeyProvider {
  const derived = deriveKey(serverSecret, 'pii-master-key');
  const current = config.masterKeyFile ? readMasterKeyFile(config.masterKeyFile) : derived;
  const previous = config.masterKeyPreviousFile ? [readMasterKeyFile(config.masterKeyPreviousFile)] : config.masterKeyFile ? [derived] : [];
  return new LocalKeyProvider(current, previous);
}
