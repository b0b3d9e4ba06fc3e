import type { FastifyPluginAsync } from 'fastify';

export interface ReadinessOptions {
  /** true once a graceful shutdown began: new stations belong elsewhere */
  draining(): boolean;
  /** true once every migration of this release is applied */
  migrated(): boolean;
  /** resolves when the database answers a trivial query */
  ping(): Promise<void>;
  /** longest wait (ms) for the database's answer; default 2000 */
  timeoutMs?: number;
}

/**
 * GET /ready: readiness for load balancers (GET /health stays liveness). 503 with the first
 * reason found: draining, migrations pending, database not answering. Concurrent probes share
 * one database ping, so a probe storm costs one query.
 */
export const readyRoutes: FastifyPluginAsync<ReadinessOptions> = async (app, o) => {
  let pinging: Promise<string | undefined> | undefined;
  const database = (): Promise<string | undefined> => (pinging ??= pingWithin(o.ping, o.timeoutMs ?? 2000).finally(() => { pinging = undefined; }));
  app.get('/ready', async (_req, reply) => {
    const reason = o.draining() ? 'draining' : !o.migrated() ? 'migrations pending' : await database();
    if (reason) return reply.code(503).header('cache-control', 'no-store').send({ status: 'unavailable', reason });
    return reply.header('cache-control', 'no-store').send({ status: 'ready' });
  });
};

/** undefined when the ping succeeded in time, else the reason (without the driver's message, which may name hosts). */
async function pingWithin(ping: () => Promise<void>, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('database not answering'), timeoutMs); });
  try {
    return await Promise.race([ping().then(() => undefined, () => 'database unavailable'), late]);
  } finally {
    clearTimeout(timer);
  }
}
