import type { Logger } from '../../log/logger.js';
import type { EcsDocument } from './ecs.js';
import type { SiemSink } from './sink.js';

export interface ElasticOptions {
  /** base URL, e.g. https://es.example:9200 */
  url: string;
  index: string;
  /** the base64 `id:api_key` of an Elasticsearch API key */
  apiKey?: string;
  batch: number;
  /** attempts per batch within one deliver() before giving up to the exporter */
  maxAttempts: number;
  /** first back-off; doubles per attempt, with jitter, capped at 30 s */
  backoffMs: number;
  timeoutMs: number;
}

export class ElasticError extends Error {}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * Elasticsearch/OpenSearch through `_bulk`. Each document is indexed with `_id` = its chain
 * position, so a batch sent twice (a retry, a restart before the cursor moved, two nodes) stays
 * one document each. A 429 or 5xx — of the request or of single items — is retried with
 * exponential back-off, resending only the items that were not taken; a 4xx item (a mapping
 * conflict) is logged and not retried, since sending it again cannot succeed.
 */
export class ElasticSink implements SiemSink {
  readonly name: string;
  readonly batch: number;
  /** counters for tests and metrics */
  readonly stats = { requests: 0, retries: 0, indexed: 0, rejected: 0 };

  constructor(private readonly o: ElasticOptions, private readonly log?: Logger, private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
    this.name = `elastic:${new URL(o.url).host}/${o.index}`;
    this.batch = o.batch;
  }

  async deliver(docs: readonly EcsDocument[]): Promise<void> {
    let pending = [...docs];
    for (let attempt = 1; pending.length; attempt++) {
      let again: EcsDocument[];
      try {
        again = await this.send(pending);
      } catch (err) {
        if (!(err instanceof RetryLater)) throw err;
        again = pending;
      }
      if (!again.length) return;
      if (attempt >= this.o.maxAttempts) throw new ElasticError(`Elasticsearch still refuses ${again.length} event(s) after ${attempt} attempts`);
      this.stats.retries++;
      const wait = Math.min(30_000, this.o.backoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      this.log?.warn({ siem: this.name, attempt, pending: again.length, waitMs: Math.round(wait) }, 'Elasticsearch asks to slow down: retrying');
      await this.sleep(wait);
      pending = again;
    }
  }

  /** One _bulk request; answers the documents to send again. */
  private async send(docs: EcsDocument[]): Promise<EcsDocument[]> {
    const body = docs.map((d) => `${JSON.stringify({ create: { _index: this.o.index, _id: d.event.id } })}\n${JSON.stringify(d)}\n`).join('');
    this.stats.requests++;
    let res: Response;
    try {
      res = await fetch(new URL('/_bulk', this.o.url), {
        method: 'POST', body, signal: AbortSignal.timeout(this.o.timeoutMs),
        headers: { 'content-type': 'application/x-ndjson', ...(this.o.apiKey && { authorization: `ApiKey ${this.o.apiKey}` }) },
      });
    } catch (err) {
      throw new ElasticError(`Elasticsearch unreachable: ${(err as Error).message}`);
    }
    if (retryable(res.status)) {
      await res.body?.cancel();
      throw new RetryLater();
    }
    if (!res.ok) throw new ElasticError(`Elasticsearch answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const answer = (await res.json()) as { errors?: boolean; items?: Array<Record<string, { status: number; error?: unknown }>> };
    if (!answer.errors) {
      this.stats.indexed += docs.length;
      return [];
    }
    const again: EcsDocument[] = [];
    docs.forEach((d, i) => {
      const item = answer.items?.[i] && Object.values(answer.items[i]!)[0];
      const status = item?.status ?? 500;
      // 409: a document with this _id is there already — delivered before, which is what we want
      if (status < 300 || status === 409) this.stats.indexed++;
      else if (retryable(status)) again.push(d);
      else {
        this.stats.rejected++;
        this.log?.error({ siem: this.name, event: { sequence: d.event.sequence }, status, error: item?.error }, 'Elasticsearch rejected a security event');
      }
    });
    return again;
  }

  async close(): Promise<void> {}
}

class RetryLater extends Error {}
