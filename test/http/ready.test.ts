import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { readyRoutes, type ReadinessOptions } from '../../src/http/ready.js';

async function probe(o: ReadinessOptions): Promise<{ status: number; body: unknown }> {
  const app = Fastify();
  await app.register(readyRoutes, o);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const r = await fetch(`${url}/ready`);
    return { status: r.status, body: await r.json() };
  } finally {
    await app.close();
  }
}

describe('GET /ready', () => {
  const up = { draining: () => false, migrated: () => true, ping: async () => undefined };

  it('is 200 when the database answers, migrations are done and the node is not draining', async () => {
    assert.deepEqual(await probe(up), { status: 200, body: { status: 'ready' } });
  });

  it('is 503 with the reason otherwise, without the driver\'s message', async () => {
    const table: Array<[Partial<ReadinessOptions>, string]> = [
      [{ draining: () => true }, 'draining'],
      [{ migrated: () => false }, 'migrations pending'],
      [{ ping: () => Promise.reject(new Error('connect ECONNREFUSED db.internal:5432 password=x')) }, 'database unavailable'],
      [{ ping: () => new Promise<void>(() => undefined), timeoutMs: 50 }, 'database not answering'],
    ];
    for (const [override, reason] of table) {
      assert.deepEqual(await probe({ ...up, ...override }), { status: 503, body: { status: 'unavailable', reason } }, reason);
    }
  });
});
