import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKeyRepo } from '../../store/repos/data-keys.js';
import type { KeyProvider } from './key-hierarchy.js';

/** The aad a data key is wrapped with: a box cannot be moved to another key row or purpose. */
const wrapAad = (id: string, purpose: string) => `ov2x:data-key\n${id}\n${purpose}`;

/**
 * Data keys (random 256-bit) in the store, wrapped by the KeyProvider's master key, unwrapped
 * on first use and kept in memory. Data is encrypted under data keys only, so rotating the
 * master key re-wraps a handful of rows and never touches the data (ADR 0005).
 */
export class KeyRing {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly newestOf = new Map<string, Promise<{ id: string; key: Buffer }>>();

  constructor(private readonly repo: DataKeyRepo, readonly provider: KeyProvider) {}

  /** The data key of an id, unwrapped (cached; a failed unwrap is not cached). */
  key(id: string): Promise<Buffer> {
    let k = this.cache.get(id);
    if (!k) {
      k = this.unwrapped(id);
      k.catch(() => this.cache.delete(id));
      this.cache.set(id, k);
    }
    return k;
  }

  private async unwrapped(id: string): Promise<Buffer> {
    const row = await this.repo.get(id);
    if (!row) throw new Error(`data key ${id} does not exist`);
    return this.provider.unwrap(row.masterKeyId, row.wrapped, wrapAad(row.id, row.purpose));
  }

  /** A data key of a fixed name (a keyed-hash key, which must stay the same forever): created once, by whichever node comes first. */
  named(id: string, purpose: string): Promise<Buffer> {
    // once known, no more store round trips: the blind index is on the OCPP authorization path
    if (!this.cache.has(id)) this.cache.set(id, this.repo.get(id).then(async (row) => (row ? undefined : this.create(id, purpose))).then(() => this.unwrapped(id)));
    const k = this.cache.get(id)!;
    k.catch(() => this.cache.delete(id));
    return k;
  }

  /** The newest data key of a purpose when first asked (created on first use); this node keeps using it until it restarts. */
  newest(purpose: string): Promise<{ id: string; key: Buffer }> {
    let n = this.newestOf.get(purpose);
    if (!n) {
      n = this.repo.newest(purpose)
        .then(async (row) => row ?? this.create(`dk_${randomBytes(9).toString('base64url')}`, purpose))
        .then(async (row) => ({ id: row.id, key: await this.key(row.id) }));
      n.catch(() => this.newestOf.delete(purpose));
      this.newestOf.set(purpose, n);
    }
    return n;
  }

  private async create(id: string, purpose: string): Promise<{ id: string }> {
    const key = randomBytes(32);
    await this.repo.insert({ id, purpose, ...(await this.provider.wrap(key, wrapAad(id, purpose))) });
    key.fill(0);
    // re-read: with a fixed name another node may have won the insert
    return (await this.repo.get(id)) ?? { id };
  }

  /**
   * Re-wraps every data key not under the current master key (master-key rotation). Runs while
   * the platform serves: the provider still unwraps with the previous key, and each row is
   * swapped in one conditional update. Answers how many keys were re-wrapped.
   */
  async rewrapAll(): Promise<number> {
    let n = 0;
    for (const row of await this.repo.notWrappedUnder(this.provider.currentId)) {
      const aad = wrapAad(row.id, row.purpose);
      const key = await this.provider.unwrap(row.masterKeyId, row.wrapped, aad);
      if (await this.repo.rewrap(row.id, row.wrapped, await this.provider.wrap(key, aad))) n++;
      key.fill(0);
    }
    return n;
  }
}

/**
 * Field-level encryption of personal data: AES-256-GCM under the newest 'field' data key,
 * `f1.<data key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The aad names the field and the
 * row (e.g. `id_tokens.uid:<blind index>`), so a ciphertext copied to another row or column
 * does not decrypt.
 */
export class FieldEncryption {
  constructor(private readonly keys: KeyRing) {}

  async encryptField(value: string, aad: string): Promise<string> {
    const { id, key } = await this.keys.newest('field');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(`${id}\n${aad}`));
    const body = Buffer.concat([c.update(value, 'utf8'), c.final()]);
    return ['f1', id, iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  async decryptField(box: string, aad: string): Promise<string> {
    const [v, id, iv, tag, body] = box.split('.');
    if (v !== 'f1' || !id || !iv || !tag || body === undefined) throw new Error('not an encrypted field');
    const key = await this.keys.key(id);
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(`${id}\n${aad}`));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new Error('an encrypted field cannot be decrypted: it was altered or belongs to another row or field');
    }
  }
}
