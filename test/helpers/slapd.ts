// A private OpenLDAP server for the LDAP tests: slapd as a child process on free loopback ports
// (ldap:// with StartTLS, and ldaps://), its own slapd.conf, database and TLS certificate from a
// fresh test CA, filled with a small directory of people and groups. Needs slapd installed
// (scripts/ensure-slapd.sh); the system slapd service is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { TestPki } from './test-pki.js';

export const SUFFIX = 'dc=ov2x,dc=test';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const READER_DN = `cn=ov2x-reader,ou=services,${SUFFIX}`;
export const groupDn = (cn: string): string => `cn=${cn},${GROUPS}`;
export const personDn = (uid: string): string => `uid=${uid},${PEOPLE}`;

export interface TestPerson { uid: string; password: string; displayName: string }

export interface Slapd {
  /** ldap:// URL (plain, StartTLS-capable) */
  url: string;
  /** ldaps:// URL */
  ldapsUrl: string;
  /** PEM file of the CA that issued the server certificate */
  caFile: string;
  /** PEM file of another CA, which the server's certificate does not chain to */
  untrustedCaFile: string;
  readerPassword: string;
  /** adds a person (inetOrgPerson with uid and password) */
  addPerson(p: TestPerson): Promise<void>;
  /** adds (true) or removes (false) a person as member of a group */
  setMember(groupCn: string, uid: string, member: boolean): Promise<void>;
  /** stops slapd (the tests of an unreachable directory); start() brings it back on the same ports */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops slapd for good and removes its files */
  close(): Promise<void>;
}

const SLAPD_CANDIDATES = ['/usr/sbin/slapd', '/usr/local/libexec/slapd', '/usr/libexec/slapd'];

export const TEST_GROUPS = ['ov2x-admins', 'ov2x-cpo', 'ov2x-support', 'ov2x-billing', 'ov2x-north', 'unrelated'] as const;

export async function startSlapd(): Promise<Slapd> {
  const bin = SLAPD_CANDIDATES.find((p) => existsSync(p));
  if (!bin) throw new Error('slapd is not installed: run scripts/ensure-slapd.sh (npm test does)');
  const dir = mkdtempSync(join(tmpdir(), 'ov2x-slapd-'));
  mkdirSync(join(dir, 'db'));
  const pki = await TestPki.create('OV2X Test LDAP CA');
  const other = await TestPki.create('OV2X Untrusted CA');
  const server = await pki.server();
  writeFileSync(join(dir, 'ca.pem'), pki.rootPem);
  writeFileSync(join(dir, 'untrusted-ca.pem'), other.rootPem);
  writeFileSync(join(dir, 'server.pem'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem, { mode: 0o600 });
  const adminPassword = randomBytes(18).toString('base64url');
  const readerPassword = randomBytes(18).toString('base64url');
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, adminPassword), { mode: 0o600 });
  const [port, tlsPort] = [await freePort(), await freePort()];
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;

  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    // -d 0: stay in the foreground (a child we can kill) without debug output
    child = spawn(bin, ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `${url}/ ${ldapsUrl}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`slapd exited (${String(code)}): ${output.slice(-2000)}`))));
    await Promise.race([waitUntilAnswers(url), exited]);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    await gone;
  };
  const asAdmin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ url, timeout: 5000, connectTimeout: 5000 });
    try {
      await c.bind(`cn=admin,${SUFFIX}`, adminPassword);
      return await fn(c);
    } finally {
      await c.unbind();
    }
  };

  // should the test process die first, slapd must not outlive it
  const killOnExit = (): void => { child?.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  await start();
  await asAdmin(async (c) => {
    await c.add(SUFFIX, { objectClass: ['top', 'dcObject', 'organization'], dc: 'ov2x', o: 'OV2X Test' });
    for (const ou of ['people', 'groups', 'services']) await c.add(`ou=${ou},${SUFFIX}`, { objectClass: ['organizationalUnit'], ou });
    await c.add(READER_DN, { objectClass: ['person', 'simpleSecurityObject'], cn: 'ov2x-reader', sn: 'reader', userPassword: readerPassword });
    // groupOfNames needs a member: the service account holds every group open
    for (const cn of TEST_GROUPS) await c.add(groupDn(cn), { objectClass: ['groupOfNames'], cn, member: READER_DN });
  });

  return {
    url, ldapsUrl, caFile: join(dir, 'ca.pem'), untrustedCaFile: join(dir, 'untrusted-ca.pem'), readerPassword,
    addPerson: (p) => asAdmin((c) => c.add(personDn(p.uid), {
      objectClass: ['inetOrgPerson'], uid: p.uid, cn: p.displayName, sn: p.uid, displayName: p.displayName, userPassword: p.password,
    })),
    setMember: (groupCn, uid, member) => asAdmin((c) => c.modify(groupDn(groupCn), new Change({
      operation: member ? 'add' : 'delete', modification: new Attribute({ type: 'member', values: [personDn(uid)] }),
    }))),
    stop, start,
    async close() {
      process.removeListener('exit', killOnExit);
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function slapdConf(dir: string, adminPassword: string): string {
  return `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key

# the unauthenticated-bind pitfall (RFC 4513 §5.1.2) switched on: a DN with an empty password
# binds successfully, as on servers configured so; the client must never send one
allow bind_anon_dn

database mdb
maxsize 16777216
suffix "${SUFFIX}"
rootdn "cn=admin,${SUFFIX}"
rootpw ${adminPassword}
directory ${dir}/db
overlay memberof

# passwords: only for bind (and to their owner); the reader account may search the rest
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="${READER_DN}" read by self read by * none
`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls with an anonymous root-DSE read until slapd answers (it opens its ports after loading). */
async function waitUntilAnswers(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c = new Client({ url, timeout: 1000, connectTimeout: 1000 });
    try {
      await c.search('', { scope: 'base', filter: '(objectClass=*)' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await c.unbind().catch(() => undefined);
    }
  }
  throw new Error(`slapd does not answer on ${url}`);
}
