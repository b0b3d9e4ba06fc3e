// A private rsyslogd for the syslog export test: its own config (imtcp with the gtls driver,
// certificates from a TestPki), pid file, work folder and output file, on a free loopback port.
// Never the system service. Needs scripts/ensure-rsyslog.sh to have run: no silent skip.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestPki } from './test-pki.js';

export interface Rsyslog {
  port: number;
  /** what rsyslog wrote, one line per message: `<pri>|<app>|<msgid>|<structured data>|<msg>` */
  lines(): string[];
  /** stops rsyslogd (SIGTERM) and waits for it to exit */
  stop(): Promise<void>;
  /** starts it again on the same port with the same config */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

const binary = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

export async function startRsyslog(pki: TestPki): Promise<Rsyslog> {
  if (!binary) throw new Error('rsyslogd is not installed: run `bash scripts/ensure-rsyslog.sh` (apt-get install rsyslog rsyslog-gnutls)');
  const dir = mkdtempSync(join(tmpdir(), 'ov2x-rsyslog-'));
  const port = await freePort();
  const server = await pki.server();
  writeFileSync(join(dir, 'ca.pem'), pki.rootPem);
  writeFileSync(join(dir, 'cert.pem'), server.certPem);
  writeFileSync(join(dir, 'key.pem'), server.keyPem, { mode: 0o600 });
  const out = join(dir, 'received.log');
  writeFileSync(join(dir, 'rsyslog.conf'), `
global(
  workDirectory="${dir}"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${dir}/ca.pem"
  defaultNetstreamDriverCertFile="${dir}/cert.pem"
  defaultNetstreamDriverKeyFile="${dir}/key.pem"
)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="string" string="%pri%|%app-name%|%msgid%|%structured-data%|%msg%\\n")
ruleset(name="ov2x") {
  action(type="omfile" file="${out}" template="fields" asyncWriting="off" flushOnTXEnd="on")
}
input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="ov2x")
`);
  let child: ChildProcess | undefined;
  let stderr = '';
  const start = async () => {
    stderr = '';
    child = spawn(binary, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.stdout!.on('data', (c: Buffer) => { stderr += c.toString(); });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}): ${stderr}`);
      const up = await new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port, ca: pki.rootPem }, () => { s.end(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []),
    stop,
    restart: start,
    cleanup: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
