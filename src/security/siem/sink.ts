import type { EcsDocument } from './ecs.js';

/**
 * Where exported security events go. deliver() resolves once the batch is handed over as far as
 * the protocol lets us know (an HTTP answer, a flushed TLS write) and throws when it could not be:
 * the exporter then keeps its cursor and retries the same batch later.
 */
export interface SiemSink {
  /** names the delivery cursor: stable across restarts */
  readonly name: string;
  /** events per deliver() call */
  readonly batch: number;
  deliver(docs: readonly EcsDocument[]): Promise<void>;
  close(): Promise<void>;
}
