import { sql, type Kysely } from 'kysely';
import type { Database, WebhookSubscriptionRow } from '../schema.js';

export interface NewWebhookSubscription {
  id: string;
  owner: string;
  ownerKind: string;
  ownerRoles: readonly string[];
  ownerGroups: readonly string[] | null;
  url: string;
  types: readonly string[];
  secretSealed: string;
}

/** The outcome of one delivery attempt, as recorded on its subscription. */
export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; gaveUp: boolean };

/** Webhook subscriptions and their delivery state. */
export class WebhookRepo {
  constructor(private readonly db: Kysely<Database>) {}

  create(s: NewWebhookSubscription): Promise<WebhookSubscriptionRow> {
    return this.db.insertInto('webhookSubscriptions').values({
      ...s, ownerRoles: JSON.stringify(s.ownerRoles), ownerGroups: s.ownerGroups ? JSON.stringify(s.ownerGroups) : null, types: JSON.stringify(s.types),
    }).returningAll().executeTakeFirstOrThrow();
  }

  get(id: string): Promise<WebhookSubscriptionRow | undefined> {
    return this.db.selectFrom('webhookSubscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every subscription, or one owner's. */
  list(opts: { owner?: string; limit?: number; offset?: number; order?: 'asc' | 'desc' } = {}): Promise<WebhookSubscriptionRow[]> {
    let q = this.db.selectFrom('webhookSubscriptions').selectAll();
    if (opts.owner !== undefined) q = q.where('owner', '=', opts.owner);
    q = q.orderBy('createdAt', opts.order ?? 'asc').orderBy('id', opts.order ?? 'asc');
    if (opts.limit !== undefined) q = q.limit(opts.limit).offset(opts.offset ?? 0);
    return q.execute();
  }

  async count(owner: string): Promise<number> {
    const r = await this.db.selectFrom('webhookSubscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('owner', '=', owner).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('webhookSubscriptions').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Removes every subscription of one owner; returns their ids. */
  async deleteByOwner(owner: string): Promise<string[]> {
    const rows = await this.db.deleteFrom('webhookSubscriptions').where('owner', '=', owner).returning('id').execute();
    return rows.map((r) => r.id);
  }

  async recordAttempt(id: string, o: AttemptOutcome): Promise<void> {
    const now = new Date();
    const q = this.db.updateTable('webhookSubscriptions').where('id', '=', id);
    if (o.ok) {
      await q.set({ lastAttemptAt: now, lastSuccessAt: now, lastStatus: o.status, lastError: null, consecutiveFailures: 0, delivered: sql`delivered + 1` }).execute();
    } else {
      await q.set({
        lastAttemptAt: now, lastStatus: o.status, lastError: o.error.slice(0, 300),
        consecutiveFailures: sql`consecutive_failures + 1`, ...(o.gaveUp && { failed: sql`failed + 1` }),
      }).execute();
    }
  }

  async recordDropped(id: string, n: number): Promise<void> {
    await this.db.updateTable('webhookSubscriptions').where('id', '=', id).set({ dropped: sql`dropped + ${n}` }).execute();
  }
}
