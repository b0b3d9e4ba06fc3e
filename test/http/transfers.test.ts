import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** A request with exactly this path: fetch would normalise `..` segments away. */
function rawRequest(base: string, method: string, path: string, body?: Buffer): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const put = (url: string, body: Buffer | string) => fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
const post = (url: string, body: Buffer | string, name = 'log.txt') => {
  const form = new FormData();
  form.append('file', new Blob([body]), name);
  return fetch(url, { method: 'POST', body: form });
};

describe('HTTP file transfers', () => {
  let p: TestPlatform;
  const LIMIT = 2048;

  before(async () => {
    p = await startTestPlatform({ maxUploadBytes: LIMIT });
    await p.addStation('T1');
    await p.addStation('T2');
  });
  after(() => p.stop());

  const expire = (url: string) => {
    const token = new URL(url).pathname.split('/')[3]!;
    const tokenHash = createHash('sha256').update(token).digest('hex');
    return p.store.db.updateTable('fileTransfers').set({ expiresAt: new Date(Date.now() - 1000) }).where('tokenHash', '=', tokenHash).execute();
  };

  it('keeps /health on the Fastify server', async () => {
    const res = await fetch(`${p.httpUrl}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', stations: 0 });
    assert.equal((await fetch(`${p.httpUrl}/nothing`)).status, 404);
  });

  it('mints URLs on the public base with a 256-bit token, storing only its hash', async () => {
    const { url, expiresAt } = await p.services.transfers.mintUpload('T1', 'diagnostics');
    assert.ok(url.startsWith(`${p.httpUrl}/transfers/T1/`));
    const token = new URL(url).pathname.split('/')[3]!;
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.ok(Math.abs(expiresAt.getTime() - Date.now() - p.config.transferTtl * 1000) < 5000);
    const rows = await p.store.db.selectFrom('fileTransfers').selectAll().execute();
    assert.ok(rows.every((r) => !JSON.stringify(r).includes(token)));
  });

  it('accepts a raw PUT below the URL once, stores it under a generated name and lists it', async () => {
    const { url } = await p.services.transfers.mintUpload('T1', 'diagnostics');
    const content = 'line 1\nline 2\n';
    const res = await put(`${url}/diag-T1.log`, content);
    assert.equal(res.status, 201);
    const [file] = await p.services.logs.files('T1');
    assert.equal(file!.originalName, 'diag-T1.log');
    assert.equal(file!.size, content.length);
    assert.equal(file!.sha256, createHash('sha256').update(content).digest('hex'));
    assert.notEqual(file!.storageName, 'diag-T1.log');
    assert.equal(await readFile(p.services.transfers.pathOf(file!), 'utf8'), content);
    // single use: the same URL cannot overwrite or add a file
    assert.equal((await put(`${url}/again.log`, 'x')).status, 404);
    assert.equal((await post(url, 'x')).status, 404);
    assert.equal((await p.services.logs.files('T1')).length, 1);
  });

  it('accepts a multipart/form-data POST', async () => {
    const { url } = await p.services.transfers.mintUpload('T1', 'securityLog');
    const res = await post(url, 'security events\n', 'security.log');
    assert.equal(res.status, 201);
    const [file] = await p.services.logs.files('T1');
    assert.equal(file!.fileKind, 'securityLog');
    assert.equal(file!.originalName, 'security.log');
    assert.equal(await readFile(p.services.transfers.pathOf(file!), 'utf8'), 'security events\n');
    // the upload itself is a record of the security log, with the file's hash in the chain (issue 7)
    const [uploaded] = await p.repos.securityEvents.list({ stationId: 'T1', limit: 5 });
    assert.equal(uploaded?.type, 'SecurityLogUploaded');
    assert.equal(uploaded?.actor, 'T1');
    assert.equal((uploaded?.details as { sha256?: string }).sha256, file!.sha256);
  });

  it('stores an empty PUT as an empty file', async () => {
    const { url } = await p.services.transfers.mintUpload('T2', 'diagnostics');
    assert.equal((await rawRequest(p.httpUrl, 'PUT', new URL(url).pathname, Buffer.alloc(0))).status, 201);
    const [file] = await p.services.logs.files('T2');
    assert.equal(file?.size, 0);
  });

  it('refuses an expired upload URL with a bare 404', async () => {
    const { url } = await p.services.transfers.mintUpload('T1', 'diagnostics');
    await expire(url);
    const res = await put(url, 'late');
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'not found');
  });

  it('refuses a token used under another station, records it, and leaves it usable by its own station', async () => {
    const { url } = await p.services.transfers.mintUpload('T1', 'diagnostics');
    const stolen = url.replace('/transfers/T1/', '/transfers/T2/');
    assert.equal((await put(stolen, 'hijack')).status, 404);
    assert.ok((await p.services.logs.files('T2')).every((f) => f.size === 0));
    const events = await p.store.db.selectFrom('securityEvents').selectAll().where('type', '=', 'FileTransferRefused').execute();
    assert.ok(events.some((e) => e.details.reason === 'wrong station'));
    assert.ok(events.every((e) => !JSON.stringify(e.details).includes(new URL(url).pathname.split('/')[3]!)));
    assert.equal((await put(url, 'mine')).status, 201);
  });

  it('answers 413 to an oversized upload, keeps nothing, and lets the station retry', async () => {
    const { url } = await p.services.transfers.mintUpload('T2', 'diagnostics');
    const before = await readdir(join(dirname(p.services.transfers.pathOf({ storageName: 'x' } as never)))).catch(() => []);
    assert.equal((await put(url, Buffer.alloc(LIMIT + 1, 'a'))).status, 413);
    assert.equal((await post(url, Buffer.alloc(LIMIT + 1, 'a'))).status, 413);
    const afterwards = await readdir(dirname(p.services.transfers.pathOf({ storageName: 'x' } as never))).catch(() => []);
    assert.deepEqual(afterwards.sort(), [...before].sort());
    assert.equal((await p.services.logs.files('T2')).filter((f) => f.size > 0).length, 0);
    assert.equal((await put(url, Buffer.alloc(LIMIT, 'a'))).status, 201);
  });

  it('never lets a path from the request reach the file system', async () => {
    const { url } = await p.services.transfers.mintUpload('T2', 'diagnostics');
    const path = new URL(url).pathname;
    // extra segments do not match a route at all
    assert.equal((await rawRequest(p.httpUrl, 'PUT', `${path}/../../../../etc/passwd`, Buffer.from('x'))).status, 404);
    // an encoded traversal in the file name is only a label
    assert.equal((await rawRequest(p.httpUrl, 'PUT', `${path}/..%2F..%2F..%2Fserver-secret`, Buffer.from('evil'))).status, 201);
    const [file] = await p.services.logs.files('T2');
    assert.ok(!file!.originalName!.includes('/') && !file!.originalName!.startsWith('.'));
    assert.match(file!.storageName, /^[0-9a-f-]{36}$/);
    assert.notEqual(await readFile(join(p.config.dataDir, 'server-secret'), 'utf8'), 'evil');
    // malformed tokens are refused before any lookup
    assert.equal((await rawRequest(p.httpUrl, 'GET', '/transfers/T2/..%2F..%2Fetc%2Fpasswd')).status, 404);
  });

  it('serves a registered firmware image only through a valid, unexpired download URL of that station', async () => {
    const image = Buffer.from('firmware image bytes '.repeat(100));
    const fw = await p.services.transfers.registerFirmware({ name: 'fw 2.0.0.bin', version: '2.0.0', data: image });
    assert.equal(fw.sha256, createHash('sha256').update(image).digest('hex'));
    assert.equal(fw.md5, createHash('md5').update(image).digest('hex'));
    const { url } = await p.services.transfers.mintDownload('T1', fw.id);
    assert.ok(url.endsWith('/fw_2.0.0.bin'));
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-checksum-sha256'), fw.sha256);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), image);
    }
    assert.equal((await fetch(url.replace('/transfers/T1/', '/transfers/T2/'))).status, 404);
    // an upload token does not download, a download token does not upload
    const up = await p.services.transfers.mintUpload('T1', 'diagnostics');
    assert.equal((await fetch(up.url)).status, 404);
    assert.equal((await put(url, 'x')).status, 404);
    await expire(url);
    assert.equal((await fetch(url)).status, 404);
  });
});
