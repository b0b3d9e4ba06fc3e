import type { Logger } from '../../log/logger.js';
import type { TokenProtection, TokenRepo } from '../../store/repos/tokens.js';
import { FieldEncryption, KeyRing } from '../crypto/field-encryption.js';
import type { KeyProvider } from '../crypto/key-hierarchy.js';
import type { DataKeyRepo } from '../../store/repos/data-keys.js';
import type { TokenRefBackfill } from '../../store/repos/token-ref-backfill.js';
import type { TokenRefs } from '../../store/repos/token-refs.js';
import { blindIndex, KeyedHash, pseudonym } from './keyed-hash.js';

/** The aad of a token UID: bound to its row (the blind index) and column. */
const uidAad = (index: string) => `id_tokens.uid:${index}`;

/**
 * Personal data at rest (G1/G2): field encryption, blind index and pseudonyms over one key
 * ring. It is the TokenRepo's TokenProtection (wired in app.ts), so every write of a token
 * stores the UID encrypted and every lookup goes through the blind index.
 */
export class PrivacyService implements TokenProtection, TokenRefs {
  readonly keys: KeyRing;
  readonly fields: FieldEncryption;
  private readonly indexHash: KeyedHash;
  private readonly pseudonymHash: KeyedHash;

  constructor(dataKeys: DataKeyRepo, readonly tokens: TokenRepo, provider: KeyProvider, private readonly log?: Logger) {
    this.keys = new KeyRing(dataKeys, provider);
    this.fields = new FieldEncryption(this.keys);
    this.indexHash = new KeyedHash(this.keys, 'blind-index-1', 'blind-index');
    this.pseudonymHash = new KeyedHash(this.keys, 'pseudonym-1', 'pseudonym');
  }

  index(uid: string): Promise<string> {
    return blindIndex(this.indexHash, uid);
  }

  pseudonym(uid: string): Promise<string> {
    return pseudonym(this.pseudonymHash, uid);
  }

  /** TokenRefs: other tables refer to a token by its pseudonym. */
  ref(uid: string): Promise<string> {
    return this.pseudonym(uid);
  }

  private references?: TokenRefBackfill;

  /** The rewrite of UIDs other tables stored before migration 0024, run with every backfill. */
  backfillReferences(b: TokenRefBackfill): void {
    this.references = b;
  }

  /**
   * Protects tokens still holding a plaintext UID and rewrites UIDs in other tables into
   * pseudonyms; idempotent, so it runs at start (everything) and with every retention pass (`since`:
   * rows written since about the previous pass, where a node of the previous release may still
   * have written plaintext during a rolling upgrade).
   */
  async backfill(since?: Date): Promise<{ tokens: number } & Record<string, number>> {
    const tokens = await this.tokens.backfill();
    const refs = this.references ? await this.references.run(this, since) : {};
    return { tokens, ...refs };
  }

  async protect(uid: string): Promise<{ uidEncrypted: string; uidIndex: string; pseudonym: string }> {
    const uidIndex = await this.index(uid);
    return { uidIndex, uidEncrypted: await this.fields.encryptField(uid, uidAad(uidIndex)), pseudonym: await this.pseudonym(uid) };
  }

  /** The UID of a stored token, decrypted (for the audited reveal). */
  revealUid(row: { uidEncrypted: string | null; uidIndex: string | null }): Promise<string> {
    if (!row.uidEncrypted || !row.uidIndex) return Promise.reject(new Error('the token has no encrypted UID yet'));
    return this.fields.decryptField(row.uidEncrypted, uidAad(row.uidIndex));
  }

  /**
   * At start: protects tokens written before migration 0019 (or by a node without it) and
   * re-wraps data keys still under a previous master key. Both are idempotent, so every node
   * may run them.
   */
  async start(): Promise<{ backfilled: number; rewrapped: number }> {
    const rewrapped = await this.keys.rewrapAll();
    const counts = await this.backfill();
    const backfilled = Object.values(counts).reduce((a, b) => a + b, 0);
    if (rewrapped || backfilled) this.log?.info({ rewrapped, ...counts }, 'personal data keys re-wrapped, tokens protected and UIDs replaced by pseudonyms');
    return { backfilled, rewrapped };
  }
}
