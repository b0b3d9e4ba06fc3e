// SIEM export to syslog (issue 7, M5): RFC 5424 over TLS with octet-counting framing, against a
// REAL rsyslogd (Debian, gtls driver) started by the test — it must parse each message (priority,
// app name, msgid, structured data) and write the ECS JSON we sent; the sink refuses a collector
// whose certificate does not chain to the configured CA, and reconnects after rsyslogd restarts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecurityEventRepo } from '../../src/store/index.js';
import { SyslogSink } from '../../src/security/siem/syslog-sink.js';
import { SiemExporter } from '../../src/security/siem/exporter.js';
import { backends, type OpenedStore } from '../helpers/db.js';
import { TestPki } from '../helpers/test-pki.js';
import { startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';
import { until } from '../helpers/until.js';

const backend = backends[0]!;
describe('SIEM export to a real rsyslogd over TLS', () => {
  let s: OpenedStore;
  let repo: SecurityEventRepo;
  let pki: TestPki;
  let rsyslog: Rsyslog;
  before(async () => {
    pki = await TestPki.create('OV2X Test Syslog CA');
    rsyslog = await startRsyslog(pki);
    s = await backend.open();
    repo = new SecurityEventRepo(s.store.db);
  });
  after(async () => {
    await rsyslog?.cleanup();
    await s?.cleanup();
  });

  const parsed = () => rsyslog.lines().map((l) => {
    const [pri, app, msgid, sd, ...msg] = l.split('|');
    return { pri: Number(pri), app, msgid, sd, doc: JSON.parse(msg.join('|').replace(/^\uFEFF/, '')) as { event: { sequence: number; action: string }; message: string; user?: { name: string } } };
  });

  it('delivers RFC 5424 messages rsyslog parses, and reconnects after a restart', async () => {
    await repo.record({ type: 'AccountLocked', severity: 'high', actor: 'mallory', actorRole: 'anonymous', description: 'auth.login: failure (anonymous mallory) — locked', sourceIp: '198.51.100.9', details: { reason: 'locked' } });
    await repo.record({ stationId: 'CS-7', origin: 'station', type: 'TamperDetectionActivated', severity: 'critical', actor: 'CS-7', actorRole: 'station', description: 'TamperDetectionActivated reported by station CS-7', details: { techInfo: 'lid | "open" ]' } });
    await repo.record({ type: 'RoleChanged', severity: 'warning', actor: 'user:1', actorRole: 'administrator', description: 'user.roles.change on 4: success', details: {} });
    const sink = new SyslogSink({ host: '127.0.0.1', port: rsyslog.port, ca: pki.rootPem });
    const exporter = new SiemExporter(repo, [sink], { intervalMs: 1000, maxLag: 1000 });
    await exporter.pump();
    assert.equal((await repo.cursor(sink.name)).seq, 3);
    await until('rsyslog to write 3 messages', () => rsyslog.lines().length >= 3, 10_000);
    const got = parsed();
    assert.deepEqual(got.map((m) => m.doc.event.sequence), [1, 2, 3]);
    // authpriv (10): high = error (3), critical = critical (2), warning = warning (4)
    assert.deepEqual(got.map((m) => m.pri), [83, 82, 84]);
    assert.deepEqual(got.map((m) => m.app), ['ov2x', 'ov2x', 'ov2x']);
    assert.deepEqual(got.map((m) => m.msgid), ['AccountLocked', 'TamperDetectionActivated', 'RoleChanged']);
    assert.match(got[0]!.sd!, /^\[ov2x@32473 seq="1" hash="[0-9a-f]{64}"\]$/);
    assert.equal(got[0]!.doc.user?.name, 'mallory');
    assert.equal(got[1]!.doc.message, 'TamperDetectionActivated reported by station CS-7');

    // rsyslogd goes away and comes back: the sink opens a new connection for the next batch
    await rsyslog.stop();
    await new Promise((r) => setTimeout(r, 200));
    await rsyslog.restart();
    await repo.record({ type: 'KeyRotation', severity: 'info', actor: 'user:1', actorRole: 'administrator', description: 'apikey.rotate on 3: success', details: {} });
    await exporter.pump();
    await until('rsyslog to write the 4th message', () => rsyslog.lines().length >= 4, 10_000);
    assert.deepEqual(parsed().map((m) => m.doc.event.sequence), [1, 2, 3, 4]);
    assert.equal(parsed()[3]!.pri, 86);
    await exporter.stop();
  });

  it('refuses a collector whose certificate is not from the configured CA; the cursor stays', async () => {
    const other = await TestPki.create('Some Other CA');
    const sink = new SyslogSink({ host: '127.0.0.1', port: rsyslog.port, ca: other.rootPem });
    Object.defineProperty(sink, 'name', { value: 'syslog:untrusted' });
    const before = rsyslog.lines().length;
    await assert.rejects(sink.deliver([]), /certificate/i);
    const exporter = new SiemExporter(repo, [sink], { intervalMs: 1000, maxLag: 1000 });
    await exporter.pump();
    assert.equal((await repo.cursor('syslog:untrusted')).seq, 0);
    assert.equal(rsyslog.lines().length, before);
    await exporter.stop();
  });
});
