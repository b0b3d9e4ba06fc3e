import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { WebhookRepo } from '../../store/repos/webhooks.js';
import type { WebhookSubscriptionRow } from '../../store/schema.js';
import type { Sealer } from '../crypto/sealed.js';
import { can, type Principal } from '../identity/principal.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { checkTargetUrl, isPrivateAddress, TargetRefused } from './target-guard.js';
import { eventPermission, type EventType } from './visibility.js';

/** A request the caller can fix: the route answers 422 with this reason. */
export class WebhookRefused extends Error {
  constructor(readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

export interface WebhookLimits {
  allowPrivate: boolean;
  /** subscriptions one principal may hold */
  maxPerOwner: number;
}

/** Webhook subscriptions: created by a principal for the events it may see, its HMAC secret sealed at rest. */
export class WebhookService {
  /** told of every subscription added or removed here (cluster mode: the other nodes' dispatchers follow) */
  private changeListeners: Array<(op: 'add' | 'remove', id: string) => void> = [];

  constructor(
    private readonly repo: WebhookRepo,
    private readonly secrets: Sealer,
    private readonly dispatcher: WebhookDispatcher,
    private readonly limits: WebhookLimits,
  ) {}

  /** Returns the subscription and, when the caller gave none, the generated secret (shown this once). */
  async create(owner: Principal, req: { url: string; types: readonly EventType[]; secret?: string }): Promise<{ subscription: WebhookSubscriptionRow; secret?: string }> {
    const unseen = req.types.filter((t) => !can(owner, eventPermission[t]));
    if (unseen.length) throw new WebhookRefused('forbidden_types', 'you may not see these event types', { types: unseen });
    const url = await this.checkUrl(req.url);
    if ((await this.repo.count(owner.id)) >= this.limits.maxPerOwner) {
      throw new WebhookRefused('too_many_webhooks', `at most ${this.limits.maxPerOwner} webhook subscriptions per account`);
    }
    const generated = req.secret === undefined ? `whsec_${randomBytes(32).toString('base64url')}` : undefined;
    const id = randomUUID();
    const subscription = await this.repo.create({
      id, owner: owner.id, ownerKind: owner.kind, ownerRoles: owner.roles, ownerGroups: owner.groups, url: url.href,
      types: [...new Set(req.types)], secretSealed: this.secrets.seal(req.secret ?? generated!, id),
    });
    this.dispatcher.add(subscription);
    this.changed('add', id);
    return { subscription, ...(generated && { secret: generated }) };
  }

  /** One owner's subscriptions, or everyone's (`owner` undefined). */
  list(opts: { owner?: string; limit: number; offset: number; order?: 'asc' | 'desc' }): Promise<WebhookSubscriptionRow[]> {
    return this.repo.list(opts);
  }

  get(id: string): Promise<WebhookSubscriptionRow | undefined> {
    return this.repo.get(id);
  }

  async delete(id: string): Promise<boolean> {
    this.dispatcher.remove(id);
    this.changed('remove', id);
    return this.repo.delete(id);
  }

  /**
   * Ends every subscription of a principal that no longer exists (an API key revoked, an
   * account removed): subscriptions of non-user principals keep the rights they had when made,
   * so whoever retires the principal calls this.
   */
  async deleteByOwner(owner: string): Promise<number> {
    const ids = await this.repo.deleteByOwner(owner);
    for (const id of ids) {
      this.dispatcher.remove(id);
      this.changed('remove', id);
    }
    return ids.length;
  }

  onChange(listener: (op: 'add' | 'remove', id: string) => void): void {
    this.changeListeners.push(listener);
  }

  private changed(op: 'add' | 'remove', id: string): void {
    for (const l of this.changeListeners) l(op, id);
  }

  /**
   * The form of the URL, and where its host points now: refused early when it names or resolves
   * to a private address (each delivery checks again where it connects).
   */
  private async checkUrl(raw: string): Promise<URL> {
    try {
      const url = checkTargetUrl(raw, this.limits.allowPrivate);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!this.limits.allowPrivate && !isIP(host)) {
        const addresses = await lookup(host, { all: true }).catch(() => {
          throw new TargetRefused('the host does not resolve');
        });
        if (addresses.some((a) => isPrivateAddress(a.address))) throw new TargetRefused('the host resolves to a private address');
      }
      return url;
    } catch (err) {
      if (err instanceof TargetRefused) throw new WebhookRefused('refused_target', err.message);
      throw err;
    }
  }
}
