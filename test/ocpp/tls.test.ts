import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startPlatform, type Platform } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { DomainEvent } from '../../src/domain/events.js';
import type { RevocationCheck } from '../../src/domain/pki/revocation.js';
import { silentLogger } from '../../src/log/logger.js';
import { runLogger } from '../helpers/run-log.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { TestPki, type Issued } from '../helpers/test-pki.js';
import { until } from '../helpers/until.js';

const ORG = 'OV2X Test CPO';
const boot16 = { chargePointVendor: 'ACME', chargePointModel: 'X1' };

interface Harness {
  p: Platform;
  dir: string;
  revoked: Set<string>;
  connected: Array<Extract<DomainEvent, { type: 'station.connected' }>>;
  stop(): Promise<void>;
}

/** A platform with a TLS listener whose files live in a temporary folder (so they can be replaced). */
async function start(pki: TestPki, server: Issued, overrides: Partial<Config> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ov2x-tls-'));
  writeFileSync(join(dir, 'server.pem'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'client-ca.pem'), pki.rootPem);
  const revoked = new Set<string>();
  const revocation: RevocationCheck = { isRevoked: ({ serialNumber }) => Promise.resolve(revoked.has(serialNumber)) };
  const config: Config = {
    ...loadConfig({}, {}), dataDir: dir, host: '127.0.0.1', ocppPort: 0, logLevel: 'silent',
    tlsPort: 0, tlsCert: join(dir, 'server.pem'), tlsKey: join(dir, 'server.key'), tlsClientCa: join(dir, 'client-ca.pem'), cpoOrganization: ORG,
    ...overrides,
  };
  const p = await startPlatform(config, runLogger(), { revocation });
  const connected: Harness['connected'] = [];
  p.services.events.subscribe((e) => { if (e.type === 'station.connected') connected.push(e); });
  return {
    p, dir, revoked, connected,
    async stop() {
      await p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Refusal = { status: number; body: string };

/** Opens an OCPP WebSocket; resolves with it, or rejects with the HTTP refusal. */
function open(url: string, o: { user?: string; password?: string; tls?: ConnectionOptions; headers?: Record<string, string> } = {}): Promise<WebSocket> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.password !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${o.user}:${o.password}`).toString('base64');
  const ws = new WebSocket(url, ['ocpp1.6'], { headers, ...o.tls });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

async function refused(url: string, o: Parameters<typeof open>[1]): Promise<Refusal> {
  return (await open(url, o).then((ws) => { ws.close(); assert.fail('upgrade should be refused'); }, (e: unknown) => e)) as Refusal;
}

/** The security events of a type, waiting briefly: they are stored after the refusal is sent. */
async function eventsOf(p: Platform, type: string, stationId?: string, min = 1): Promise<Array<{ details: Record<string, unknown>; sourceIp: string | null }>> {
  for (let i = 0; i < 100; i++) {
    const all = (await p.repos.securityEvents.list({ stationId, limit: 200 })).filter((e) => e.type === type);
    if (all.length >= min) return all as never;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no ${type} security event${stationId ? ` for ${stationId}` : ''}`);
}

/** Boots over an open socket: proves the connection really serves OCPP. */
async function bootOver(ws: WebSocket): Promise<string> {
  const answer = new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
  ws.send(JSON.stringify([2, 'b1', 'BootNotification', boot16]));
  const [, , res] = (await answer) as [number, string, { status: string }];
  return res.status;
}

/** The serial of the certificate the TLS listener presents to a new connection. */
function presentedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      const serial = s.getPeerCertificate().serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
      s.end();
      resolve(serial);
    });
    s.once('error', reject);
  });
}

/** Attempts a raw TLS handshake with client options; resolves with the error that ended it. */
function handshakeError(port: number, o: ConnectionOptions): Promise<Error & { code?: string }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o }, () => {
      s.end();
      reject(new Error(`handshake succeeded with ${s.getProtocol()} ${s.getCipher().name}`));
    });
    s.once('error', resolve);
  });
}

describe('TLS transport: security profiles 2 and 3 (real handshakes over loopback)', () => {
  let pki: TestPki;
  let server: Issued;
  let h: Harness;
  let wss: string;
  let tlsPort: number;
  const passwords: Record<string, string> = {};

  before(async () => {
    pki = await TestPki.create();
    server = await pki.server();
    h = await start(pki, server);
    wss = h.p.tls!.ocppUrl;
    tlsPort = (h.p.tls!.server.address() as AddressInfo).port;
    const st = h.p.services.stations;
    passwords['CS-P1'] = (await st.register('CS-P1', { securityProfile: 1 })).password;
    passwords['CS-P2'] = (await st.register('CS-P2', { securityProfile: 2 })).password;
    for (const id of ['CS-P3', 'CS-P3-SUB', 'CS-OLD', 'CS-NEW', 'CS-REV', 'CS-FOREIGN']) passwords[id] = (await st.register(id, { securityProfile: 3 })).password;
  });
  after(() => h.stop());

  const trust = (): ConnectionOptions => ({ ca: pki.rootPem });
  const mtls = (c: Issued): ConnectionOptions => ({ ca: pki.rootPem, cert: c.certPem, key: c.keyPem });

  it('profile 2: a station with Basic auth over wss is admitted and the connection says profile 2', async () => {
    const ws = await open(`${wss}/CS-P2`, { user: 'CS-P2', password: passwords['CS-P2'], tls: trust() });
    assert.equal(await bootOver(ws), 'Accepted');
    ws.close();
    assert.equal(h.connected.find((e) => e.stationId === 'CS-P2')?.securityProfile, 2);
  });

  it('negotiates TLS 1.3 with an AEAD suite when the client offers it', async () => {
    const s = await new Promise<ReturnType<typeof tlsConnect>>((resolve, reject) => {
      const c = tlsConnect({ host: '127.0.0.1', port: tlsPort, ca: pki.rootPem }, () => resolve(c));
      c.once('error', reject);
    });
    assert.equal(s.getProtocol(), 'TLSv1.3');
    assert.match(s.getCipher().name, /GCM|CHACHA20/);
    s.end();
  });

  it('profile 3: a valid client certificate admits the station without Basic auth', async () => {
    const cert = await pki.station(`CN=CS-P3, O=${ORG}`);
    const ws = await open(`${wss}/CS-P3`, { tls: mtls(cert) });
    assert.equal(await bootOver(ws), 'Accepted');
    ws.close();
    assert.equal(h.connected.find((e) => e.stationId === 'CS-P3')?.securityProfile, 3);
  });

  it('profile 3: a certificate from a sub-CA, presented with its chain, is admitted', async () => {
    const sub = await pki.subCa();
    const cert = await sub.station(`CN=CS-P3-SUB, O=${ORG}`);
    const ws = await open(`${wss}/CS-P3-SUB`, { tls: { ca: pki.rootPem, cert: `${cert.certPem}\n${sub.caPem}`, key: cert.keyPem } });
    ws.close();
  });

  const rejections: Array<[string, string, () => Promise<Issued>, string]> = [
    ['wrong CN (another station\'s certificate)', 'CS-P3', () => pki.station(`CN=CS-P2, O=${ORG}`), 'IdentityMismatch'],
    ['wrong O', 'CS-P3', () => pki.station('CN=CS-P3, O=Someone Else'), 'OrganizationMismatch'],
    ['expired', 'CS-OLD', () => pki.station(`CN=CS-OLD, O=${ORG}`, { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }), 'Expired'],
    ['not yet valid', 'CS-NEW', () => pki.station(`CN=CS-NEW, O=${ORG}`, { notBefore: new Date(Date.now() + 86_400_000), notAfter: new Date(Date.now() + 10 * 86_400_000) }), 'NotYetValid'],
    ['unknown CA', 'CS-FOREIGN', async () => (await TestPki.create('Foreign Root')).station(`CN=CS-FOREIGN, O=${ORG}`), 'UnknownIssuer'],
  ];
  for (const [what, id, issue, reason] of rejections) {
    it(`profile 3: refuses a client certificate with ${what} (403, ClientCertificateRejected ${reason})`, async () => {
      const cert = await issue();
      const r = await refused(`${wss}/${id}`, { tls: mtls(cert) });
      assert.equal(r.status, 403);
      assert.equal(r.body, 'forbidden');
      const events = await eventsOf(h.p, 'ClientCertificateRejected', id);
      const e = events.find((x) => x.details.reason === reason);
      assert.ok(e, `reason ${reason} recorded`);
      assert.equal(e.details.serial, cert.serial);
      assert.match(String(e.details.subject), /CN=/);
      assert.ok(!JSON.stringify(e.details).includes('PRIVATE'), 'no key material');
    });
  }

  it('profile 3: refuses a revoked certificate, asking the injected RevocationCheck', async () => {
    const cert = await pki.station(`CN=CS-REV, O=${ORG}`);
    const ws = await open(`${wss}/CS-REV`, { tls: mtls(cert) });
    ws.close();
    h.revoked.add(cert.serial);
    const r = await refused(`${wss}/CS-REV`, { tls: mtls(cert) });
    assert.equal(r.status, 403);
    const [e] = await eventsOf(h.p, 'ClientCertificateRejected', 'CS-REV');
    assert.equal(e!.details.reason, 'Revoked');
  });

  it('profile 3: a station with Basic auth but no client certificate is a downgrade (403)', async () => {
    const r = await refused(`${wss}/CS-P3`, { user: 'CS-P3', password: passwords['CS-P3'], tls: trust() });
    assert.equal(r.status, 403);
    const [e] = await eventsOf(h.p, 'SecurityProfileDowngrade', 'CS-P3');
    assert.deepEqual([e!.details.configured, e!.details.actual], [3, 2]);
  });

  it('profile 2: the right password on plain ws is a downgrade (403), profile 1 stays fine on plain ws', async () => {
    const r = await refused(`${h.p.ocppUrl}/CS-P2`, { user: 'CS-P2', password: passwords['CS-P2'] });
    assert.equal(r.status, 403);
    const [e] = await eventsOf(h.p, 'SecurityProfileDowngrade', 'CS-P2');
    assert.deepEqual([e!.details.configured, e!.details.actual], [2, 1]);
    const ws = await open(`${h.p.ocppUrl}/CS-P1`, { user: 'CS-P1', password: passwords['CS-P1'] });
    ws.close();
    assert.equal(h.connected.find((x) => x.stationId === 'CS-P1')?.securityProfile, 1);
  });

  it('refuses TLS 1.0/1.1 at the handshake and records InvalidTLSVersion', async () => {
    // SECLEVEL=0 lets this client's OpenSSL offer the old versions at all
    const err = await handshakeError(tlsPort, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.match(String(err.code ?? err.message), /ALERT|PROTOCOL|VERSION/i);
    await eventsOf(h.p, 'InvalidTLSVersion');
  });

  it('refuses a non-AEAD cipher suite (AES128-SHA over TLS 1.2) and records InvalidTLSCipherSuite', async () => {
    const err = await handshakeError(tlsPort, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' });
    assert.match(String(err.code ?? err.message), /HANDSHAKE|ALERT|CIPHER/i);
    await eventsOf(h.p, 'InvalidTLSCipherSuite');
  });

  it('a flood of refused handshakes from one address is recorded at most ten times a minute', async () => {
    const handshakeEvents = async () => (await h.p.repos.securityEvents.list({ limit: 1000 })).filter((e) => /^InvalidTLS|^TLSHandshake/.test(e.type));
    const before = (await handshakeEvents()).length;
    for (let i = 0; i < 25; i++) await handshakeError(tlsPort, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' });
    // the records are written asynchronously: give the last ones a moment after the first appear
    await until('records of the flood written', async () => (await handshakeEvents()).length > before);
    await new Promise((r) => setTimeout(r, 300));
    const added = (await handshakeEvents()).length - before;
    assert.ok(added >= 1 && added <= 10, `${added} of 25 refused handshakes recorded`);
  });

  it('openssl s_client: TLS 1.3 offered → TLS 1.3 used; -tls1_1 refused', { skip: spawnSync('openssl', ['version']).status === 0 ? false : 'openssl is not installed' }, async () => {
    const run = (args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
      const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-brief', ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
      });
      child.stdin?.end();
    });
    const ok = await run([]);
    assert.match(ok.out, /Protocol version: TLSv1\.3/);
    const old = await run(['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
    assert.notEqual(old.code, 0, old.out);
    assert.doesNotMatch(old.out, /Protocol version: TLSv1\.1/);
  });

  it('the HTTP routes are served on both listeners; HSTS only over TLS', async () => {
    const fetchHeaders = (get: typeof httpGet, url: string, o: object) => new Promise<{ status: number; hsts: unknown }>((resolve, reject) => {
      get(url, o, (res) => { res.resume(); resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] }); }).once('error', reject);
    });
    const secure = await fetchHeaders(httpsGet as never, `${h.p.tls!.httpUrl}/health`, { ca: pki.rootPem });
    assert.equal(secure.status, 200);
    assert.match(String(secure.hsts), /max-age=\d+/);
    const plain = await fetchHeaders(httpGet, `${h.p.httpUrl}/health`, {});
    assert.equal(plain.status, 200);
    assert.equal(plain.hsts, undefined);
  });

  it('the simulator connects in wss mode (profile 2) and in mTLS mode (profile 3) and boots', async () => {
    const p2 = new SimulatedStation({ url: wss, identity: 'CS-P2', password: passwords['CS-P2'], protocol: '2.0.1', tls: { ca: pki.rootPem } });
    await p2.connect();
    assert.equal((await p2.boot()).status, 'Accepted');
    await p2.close();
    const cert = await pki.station(`CN=CS-P3, O=${ORG}`);
    const p3 = new SimulatedStation({ url: wss, identity: 'CS-P3', protocol: '1.6', tls: { ca: pki.rootPem, cert: cert.certPem, key: cert.keyPem } });
    await p3.connect();
    assert.equal((await p3.boot()).status, 'Accepted');
    await p3.close();
    const profiles = h.connected.filter((e) => e.stationId === 'CS-P2' || e.stationId === 'CS-P3').map((e) => `${e.stationId}:${e.securityProfile}`);
    assert.ok(profiles.includes('CS-P2:2') && profiles.includes('CS-P3:3'), profiles.join(','));
  });

  it('ov2x simulate --ca --cert --key: one station over mutual TLS, its identity the certificate\'s CN', async () => {
    const cert = await pki.station(`CN=CS-P3, O=${ORG}`);
    const files = { ca: join(h.dir, 'sim-ca.pem'), cert: join(h.dir, 'sim.pem'), key: join(h.dir, 'sim.key') };
    writeFileSync(files.ca, pki.rootPem);
    writeFileSync(files.cert, cert.certPem);
    writeFileSync(files.key, cert.keyPem, { mode: 0o600 });
    const run = (...args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['dist/src/cli/main.js', 'simulate', '--url', wss, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }));
      child.stdin?.end();
    });
    const ok = await run('--ca', files.ca, '--cert', files.cert, '--key', files.key, '--sessions', '0', '--json');
    assert.equal(ok.code, 0, ok.stderr);
    const stats = JSON.parse(ok.stdout) as { connected: number; booted: number };
    assert.deepEqual([stats.connected, stats.booted], [1, 1]);
    const noKey = await run('--ca', files.ca, '--cert', files.cert);
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.stderr, /--cert and --key go together/);
  });

  it('a replaced certificate/key is served to the next connection without restart; a bad file keeps the old one', async () => {
    const before = await presentedSerial(tlsPort, pki.rootPem);
    assert.equal(before, server.serial);
    // a key that does not belong to the certificate: logged, old context kept
    const other = await pki.server();
    writeFileSync(join(h.dir, 'server.key'), other.keyPem);
    assert.equal(h.p.tls!.files.reload(), false);
    assert.equal(await presentedSerial(tlsPort, pki.rootPem), server.serial);
    // the matching certificate arrives: the watcher picks it up
    writeFileSync(join(h.dir, 'server.pem'), other.certPem);
    let now = before;
    for (let i = 0; i < 50 && now !== other.serial; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await presentedSerial(tlsPort, pki.rootPem);
    }
    assert.equal(now, other.serial);
  });

  it('keeps serving after every refusal: a valid station still connects', async () => {
    const cert = await pki.station(`CN=CS-P3, O=${ORG}`);
    const ws = await open(`${wss}/CS-P3`, { tls: mtls(cert) });
    assert.equal(await bootOver(ws), 'Accepted');
    ws.close();
  });
});

describe('TLS-terminating proxy: the client-certificate header', () => {
  let pki: TestPki;

  before(async () => {
    pki = await TestPki.create();
  });

  const escaped = (pem: string): string => encodeURIComponent(pem);

  it('is trusted from a configured proxy address: the station is admitted with profile 3', async () => {
    const h = await start(pki, await pki.server(), { trustedProxies: '127.0.0.1', clientCertHeader: 'x-client-cert' });
    try {
      await h.p.services.stations.register('CS-PROXY', { securityProfile: 3 });
      await h.p.services.stations.register('CS-P2', { securityProfile: 2 });
      const cert = await pki.station(`CN=CS-PROXY, O=${ORG}`);
      const ws = await open(`${h.p.ocppUrl}/CS-PROXY`, { headers: { 'x-client-cert': escaped(cert.certPem) } });
      assert.equal(await bootOver(ws), 'Accepted');
      ws.close();
      assert.equal(h.connected.find((e) => e.stationId === 'CS-PROXY')?.securityProfile, 3);
      // the same checks apply to a forwarded certificate
      const wrong = await pki.station(`CN=CS-OTHER, O=${ORG}`);
      const r = await refused(`${h.p.ocppUrl}/CS-PROXY`, { headers: { 'x-client-cert': escaped(wrong.certPem) } });
      assert.equal(r.status, 403);
      assert.equal((await eventsOf(h.p, 'ClientCertificateRejected', 'CS-PROXY'))[0]!.details.reason, 'IdentityMismatch');
      const garbage = await refused(`${h.p.ocppUrl}/CS-PROXY`, { headers: { 'x-client-cert': '%%not-a-pem' } });
      assert.equal(garbage.status, 403);
      // a request through the proxy counts as TLS for profile 2
      const { password } = await h.p.services.stations.register('CS-P2B', { securityProfile: 2 });
      const ws2 = await open(`${h.p.ocppUrl}/CS-P2B`, { user: 'CS-P2B', password });
      ws2.close();
    } finally {
      await h.stop();
    }
  });

  it('is ignored from any other address, and recorded', async () => {
    const h = await start(pki, await pki.server(), { trustedProxies: '10.0.0.0/8,::1', clientCertHeader: 'x-client-cert' });
    try {
      await h.p.services.stations.register('CS-PROXY', { securityProfile: 3 });
      const cert = await pki.station(`CN=CS-PROXY, O=${ORG}`);
      const r = await refused(`${h.p.ocppUrl}/CS-PROXY`, { headers: { 'x-client-cert': escaped(cert.certPem) } });
      assert.equal(r.status, 401); // no certificate counted, no password given
      const [e] = await eventsOf(h.p, 'UntrustedClientCertHeader', 'CS-PROXY');
      assert.equal(e!.sourceIp, '127.0.0.1');
    } finally {
      await h.stop();
    }
  });
});

describe('TLS settings', () => {
  it('validates proxy lists and header names, and a TLS port needs a certificate and key', async () => {
    assert.equal(loadConfig({}, { OV2X_TRUSTED_PROXIES: '10.0.0.0/8, ::1,192.168.1.7' }).trustedProxies, '10.0.0.0/8,::1,192.168.1.7');
    assert.throws(() => loadConfig({}, { OV2X_TRUSTED_PROXIES: '10.0.0.0/33' }), /OV2X_TRUSTED_PROXIES.*CIDR/);
    assert.throws(() => loadConfig({}, { OV2X_TRUSTED_PROXIES: 'proxy.example' }), /not an IP address/);
    assert.equal(loadConfig({}, { OV2X_CLIENT_CERT_HEADER: 'X-Client-Cert' }).clientCertHeader, 'x-client-cert');
    assert.throws(() => loadConfig({}, { OV2X_CLIENT_CERT_HEADER: 'x client' }), /header name/);
    const dir = mkdtempSync(join(tmpdir(), 'ov2x-tls-'));
    try {
      const config: Config = { ...loadConfig({}, {}), dataDir: dir, ocppPort: 0, tlsPort: 0, logLevel: 'silent' };
      await assert.rejects(startPlatform(config, silentLogger), /OV2X_TLS_PORT needs OV2X_TLS_CERT and OV2X_TLS_KEY/);
      writeFileSync(join(dir, 'c.pem'), 'not a certificate');
      writeFileSync(join(dir, 'k.pem'), 'not a key');
      await assert.rejects(startPlatform({ ...config, tlsCert: join(dir, 'c.pem'), tlsKey: join(dir, 'k.pem') }, silentLogger), /no PEM certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
