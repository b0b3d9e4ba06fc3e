// SIEM export to Elasticsearch/OpenSearch (issue 7, M5): ECS documents through `_bulk` to a
// loopback server that speaks the protocol — whole-request 429s, per-item 429s and a 503 are
// retried with back-off until every event is indexed exactly once; the cursor survives a restart;
// a sink that falls too far behind skips the oldest, counted.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SecurityEventRepo } from '../../src/store/index.js';
import { ElasticSink } from '../../src/security/siem/elastic-sink.js';
import { SiemExporter } from '../../src/security/siem/exporter.js';
import { backends, type OpenedStore } from '../helpers/db.js';

/** A minimal _bulk endpoint: scripted answers per request, then success; keeps what it indexed by _id. */
function bulkServer(script: Array<'429' | '503' | 'item429'>) {
  const indexed = new Map<string, Record<string, unknown>>();
  const seen: Array<{ auth?: string; contentType?: string; ops: number }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      assert.equal(req.url, '/_bulk');
      const lines = body.split('\n').filter(Boolean);
      seen.push({ auth: req.headers.authorization, contentType: req.headers['content-type'], ops: lines.length / 2 });
      const step = script.shift();
      if (step === '429' || step === '503') {
        res.writeHead(Number(step), { 'content-type': 'application/json' }).end('{"error":"busy"}');
        return;
      }
      const items = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as { create: { _index: string; _id: string } };
        // every other item of an item429 answer is refused for now
        if (step === 'item429' && (i / 2) % 2 === 1) {
          items.push({ create: { _index: action.create._index, _id: action.create._id, status: 429, error: { type: 'es_rejected_execution_exception' } } });
          continue;
        }
        const dup = indexed.has(action.create._id);
        if (!dup) indexed.set(action.create._id, JSON.parse(lines[i + 1]!) as Record<string, unknown>);
        items.push({ create: { _index: action.create._index, _id: action.create._id, status: dup ? 409 : 201 } });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: items.some((x) => x.create.status >= 300), items }));
    });
  });
  return { server, indexed, seen };
}

const backend = backends[0]!;
describe(`SIEM export to Elasticsearch _bulk (${backend.name})`, () => {
  let s: OpenedStore;
  let repo: SecurityEventRepo;
  before(async () => {
    s = await backend.open();
    repo = new SecurityEventRepo(s.store.db);
    for (let i = 1; i <= 25; i++) await repo.record({ stationId: `CS-${i % 3}`, origin: i % 2 ? 'station' : 'csms', type: 'InvalidMessages', severity: 'warning', actor: 'system', actorRole: 'csms', description: `event ${i}`, node: 'n1', details: { i } });
  });
  after(() => s?.cleanup());

  it('retries 429/503 with back-off and loses nothing', async () => {
    const es = bulkServer(['429', 'item429', '503', '429']);
    await new Promise<void>((r) => es.server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(es.server.address() as AddressInfo).port}`;
      const waits: number[] = [];
      const sink = new ElasticSink({ url, index: 'ov2x-security', apiKey: 'aWQ6a2V5', batch: 10, maxAttempts: 8, backoffMs: 100, timeoutMs: 5000 }, undefined, async (ms) => { waits.push(ms); });
      const exporter = new SiemExporter(repo, [sink], { intervalMs: 1000, maxLag: 1000 });
      await exporter.pump();
      assert.equal(es.indexed.size, 25, 'every event indexed');
      assert.deepEqual([...es.indexed.keys()].sort(), Array.from({ length: 25 }, (_, i) => `ov2x-sec-${i + 1}`).sort());
      assert.equal(sink.stats.retries, 4);
      assert.ok(waits[1]! > waits[0]! * 0.9 || waits[2]! > waits[0]!, `back-off grows: ${waits.join(', ')}`);
      // the item-level 429 resent only the refused half
      assert.deepEqual(es.seen.map((x) => x.ops), [10, 10, 5, 5, 5, 10, 5]);
      assert.equal(es.seen[0]!.auth, 'ApiKey aWQ6a2V5');
      assert.equal(es.seen[0]!.contentType, 'application/x-ndjson');
      const doc = es.indexed.get('ov2x-sec-3')!;
      assert.equal((doc.event as { action: string }).action, 'InvalidMessages');
      assert.equal(doc.message, 'event 3');
      assert.deepEqual((doc.observer as { type: string }).type, 'charging-station');
      assert.equal((await repo.cursor(sink.name)).seq, 25);

      // a restart resumes at the cursor: only the new event goes
      await repo.record({ type: 'AccountLocked', severity: 'high', actor: 'alice', actorRole: 'operator', details: {} });
      const again = new SiemExporter(repo, [sink], { intervalMs: 1000, maxLag: 1000 });
      const before = es.seen.length;
      await again.pump();
      assert.equal(es.seen.length, before + 1);
      assert.equal(es.seen.at(-1)!.ops, 1);
      assert.equal(es.indexed.size, 26);
      await again.stop();
    } finally {
      es.server.close();
    }
  });

  it('a sink too far behind skips the oldest, counted in its cursor', async () => {
    const es = bulkServer([]);
    await new Promise<void>((r) => es.server.listen(0, '127.0.0.1', r));
    try {
      const sink = new ElasticSink({ url: `http://127.0.0.1:${(es.server.address() as AddressInfo).port}`, index: 'lagging', batch: 100, maxAttempts: 2, backoffMs: 1, timeoutMs: 5000 });
      Object.defineProperty(sink, 'name', { value: 'elastic:lagging' });
      const exporter = new SiemExporter(repo, [sink], { intervalMs: 1000, maxLag: 5 });
      await exporter.pump();
      assert.equal(es.indexed.size, 5);
      assert.deepEqual(await repo.cursor('elastic:lagging'), { seq: 26, dropped: 21 });
    } finally {
      es.server.close();
    }
  });
});
