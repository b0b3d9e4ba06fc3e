import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError, type Entry } from 'ldapts';
import { DependencyUnavailable } from '../errors.js';
import { ConfigError, type Config } from '../../config/config.js';
import type { Logger } from '../../log/logger.js';
import type { ExternalDirectory } from './account-service.js';
import { isRole, machineRoles, type Role } from './roles.js';

/** What the directory says about a user: roles and station-group scope (null = every station). */
export interface DirectoryView {
  username: string;
  displayName?: string;
  roles: Role[];
  groups: string[] | null;
}

/**
 * The directory could not be asked (down, timeout, TLS verification failed, service account
 * refused): the login is answered 503, not 401, so an outage is not mistaken for a wrong
 * password.
 */
export class DirectoryUnavailable extends DependencyUnavailable {
  constructor() {
    super('directory_unavailable', 'the user directory cannot be reached; try again later');
  }
}

/** One `<group>=><value>[,<value>]` entry of a role or scope map; the group as DN or bare CN. */
export interface GroupMapping {
  group: string;
  values: string[];
}

export interface LdapOptions {
  url: string;
  bindDn?: string;
  bindPassword?: string;
  baseDn: string;
  userFilter: string;
  groupBaseDn?: string;
  groupFilter: string;
  roleMap: GroupMapping[];
  /** undefined = every user sees every station */
  scopeMap?: GroupMapping[];
  startTls: boolean;
  /** PEM of the trusted CA(s); undefined = Node's default CAs */
  ca?: Buffer;
  connectTimeoutMs: number;
  timeoutMs: number;
}

/** RFC 4515 §3: the characters that would end or widen a filter value, and NUL, as \XX. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Fills `{name}` placeholders of a filter template with escaped values. */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (all, name: string) => (name in values ? escapeFilterValue(values[name]!) : all));
}

/**
 * DNs compared loosely: case-insensitive and without blanks around separators. Enough for
 * mapping configuration to groups the server names; not a full RFC 4514 canonicalisation.
 */
export function normalizeDn(dn: string): string {
  return dn.trim().replace(/\s*([,=+])\s*/g, '$1').toLowerCase();
}

/** The CN of a group DN (`cn=ov2x-admins,ou=groups,...` → `ov2x-admins`), if it is named by one. */
function cnOf(dn: string): string | undefined {
  const m = /^\s*cn\s*=\s*((?:\\.|[^,+\\])*)/i.exec(dn);
  return m ? m[1]!.replace(/\\(.)/g, '$1').trim().toLowerCase() : undefined;
}

/**
 * Parses `<group>=><values>;<group>=><values>`. `;` and `>` never stand unescaped in a DN
 * (RFC 4514 escapes them), so neither separator can be confused with a DN's own `=` and `,`.
 */
export function parseGroupMap(raw: string, what: string): GroupMapping[] {
  const out: GroupMapping[] = [];
  for (const entry of raw.split(/(?<!\\);/).map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=>');
    const group = at > 0 ? entry.slice(0, at).trim() : '';
    const values = at > 0 ? entry.slice(at + 2).split(',').map((v) => v.trim()).filter(Boolean) : [];
    if (!group || values.length === 0) throw new ConfigError([`${what}: ${JSON.stringify(entry)} is not <group>=><value>[,<value>]`]);
    out.push({ group: group.includes('=') ? normalizeDn(group) : group.toLowerCase(), values });
  }
  return out;
}

/** The values of every mapping that names one of the user's groups (by DN, or by CN). */
function mapped(map: readonly GroupMapping[], groupDns: readonly string[]): string[] {
  const dns = new Set(groupDns.map(normalizeDn));
  const cns = new Set(groupDns.map(cnOf).filter((c): c is string => c !== undefined));
  return [...new Set(map.filter((m) => dns.has(m.group) || cns.has(m.group)).flatMap((m) => m.values))];
}

/** The LDAP settings, checked; undefined when no directory is configured. */
export function ldapOptionsFrom(config: Config): LdapOptions | undefined {
  if (!config.ldapUrl) return undefined;
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(config.ldapUrl);
  } catch { /* reported below */ }
  if (!url || !['ldap:', 'ldaps:'].includes(url.protocol) || url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search) {
    problems.push('OV2X_LDAP_URL: must be ldap://host[:port] or ldaps://host[:port]');
  }
  // passwords in clear only to a directory on this host
  if (url?.protocol === 'ldap:' && !config.ldapStartTls && !/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(url.hostname)) {
    problems.push('OV2X_LDAP_URL: ldap:// to another host sends passwords in clear; use ldaps:// or set OV2X_LDAP_STARTTLS=true');
  }
  if (url?.protocol === 'ldaps:' && config.ldapStartTls) problems.push('OV2X_LDAP_STARTTLS: StartTLS is for ldap:// URLs; ldaps:// is TLS already');
  if (!config.ldapBaseDn) problems.push('OV2X_LDAP_BASE_DN: required with OV2X_LDAP_URL');
  if (config.ldapBindDn && !config.ldapBindPassword) problems.push('OV2X_LDAP_BIND_PASSWORD: required with OV2X_LDAP_BIND_DN');
  if (!config.ldapUserFilter.includes('{username}')) problems.push('OV2X_LDAP_USER_FILTER: must contain {username}');
  if (!config.ldapRoleMap) problems.push('OV2X_LDAP_ROLE_MAP: required with OV2X_LDAP_URL (no role, no login)');
  let roleMap: GroupMapping[] = [];
  let scopeMap: GroupMapping[] | undefined;
  let ca: Buffer | undefined;
  try {
    roleMap = config.ldapRoleMap ? parseGroupMap(config.ldapRoleMap, 'OV2X_LDAP_ROLE_MAP') : [];
    for (const r of roleMap.flatMap((m) => m.values)) {
      if (!isRole(r)) problems.push(`OV2X_LDAP_ROLE_MAP: ${JSON.stringify(r)} is not a role`);
      else if (machineRoles.has(r)) problems.push(`OV2X_LDAP_ROLE_MAP: ${r} is a machine role (API keys only)`);
    }
    scopeMap = config.ldapScopeMap ? parseGroupMap(config.ldapScopeMap, 'OV2X_LDAP_SCOPE_MAP') : undefined;
  } catch (err) {
    problems.push(...(err instanceof ConfigError ? err.problems : [String(err)]));
  }
  if (config.ldapCaFile) {
    try {
      ca = readFileSync(config.ldapCaFile);
    } catch {
      problems.push(`OV2X_LDAP_CA_FILE: cannot read ${config.ldapCaFile}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    url: config.ldapUrl, bindDn: config.ldapBindDn, bindPassword: config.ldapBindPassword, baseDn: config.ldapBaseDn!,
    userFilter: config.ldapUserFilter, groupBaseDn: config.ldapGroupBaseDn, groupFilter: config.ldapGroupFilter,
    roleMap, scopeMap, startTls: config.ldapStartTls, ca, connectTimeoutMs: config.ldapConnectTimeout, timeoutMs: config.ldapTimeout,
  };
}

const first = (v: Entry[string] | undefined): string | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined ? undefined : x.toString();
};
const all = (v: Entry[string] | undefined): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => x.toString()));

/**
 * Bind-and-search login against an LDAP directory: the service account finds the user and their
 * groups, then a bind as the user's DN checks the password. Groups map to roles and station
 * groups; a user in no mapped group is refused. One connection per login, closed after it.
 */
export class LdapDirectory implements ExternalDirectory {
  readonly source = 'ldap' as const;
  private readonly tls: ConnectionOptions;

  constructor(private readonly opts: LdapOptions, private readonly log: Logger) {
    const host = new URL(opts.url).hostname.replace(/^\[|\]$/g, '');
    // verification is never switched off; SNI only for names (an IP is checked against the SAN)
    this.tls = { host, ...(isIP(host) ? {} : { servername: host }), ...(opts.ca && { ca: opts.ca }), rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  }

  async authenticate(username: string, password: string): Promise<DirectoryView | undefined> {
    // an empty password would make the user bind "unauthenticated" (RFC 4513 §5.1.2), which
    // many servers answer with success: never send one
    if (password === '' || username.trim() === '') return undefined;
    return this.session(async (client) => {
      const user = await this.findUser(client, username);
      if (!user) return undefined;
      const view = await this.viewOf(client, username, user);
      try {
        await client.bind(user.dn, password);
      } catch (err) {
        if (err instanceof ResultCodeError) return undefined; // wrong password, locked in the directory, ...
        throw err;
      }
      if (!view) this.log.info({ ldapDn: user.dn }, 'LDAP user is in no mapped group: login refused');
      return view;
    });
  }

  /** The directory's current view of a user, without their password (session refresh). */
  lookup(username: string): Promise<DirectoryView | undefined> {
    return this.session(async (client) => {
      const user = await this.findUser(client, username);
      return user && this.viewOf(client, username, user);
    });
  }

  /** A connection, secured and bound as the service account, for `fn`; closed after it. */
  private async session<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const o = this.opts;
    // the client speaks TLS from the first byte whenever tlsOptions is given: only for ldaps://
    const ldaps = o.url.startsWith('ldaps:');
    const client = new Client({ url: o.url, timeout: o.timeoutMs, connectTimeout: o.connectTimeoutMs, ...(ldaps && { tlsOptions: this.tls }) });
    let timer: NodeJS.Timeout | undefined;
    // a stalled TLS handshake after StartTLS has no timeout of its own in the client: one deadline for it all
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('LDAP login took too long')), o.connectTimeoutMs + 4 * o.timeoutMs);
    });
    try {
      return await Promise.race([(async () => {
        if (o.startTls) await client.startTLS({ ...this.tls });
        if (o.bindDn) await client.bind(o.bindDn, o.bindPassword);
        return fn(client);
      })(), deadline]);
    } catch (err) {
      // the cause goes to the log (never a password: ldapts errors carry codes and server text)
      this.log.warn({ ldapUrl: o.url, err: { message: (err as Error).message, code: (err as { code?: unknown }).code } }, 'LDAP directory unavailable');
      throw new DirectoryUnavailable();
    } finally {
      clearTimeout(timer);
      await client.unbind().catch(() => undefined);
    }
  }

  /** The one entry the user filter finds; none or several (ambiguous) = no such user. */
  private async findUser(client: Client, username: string): Promise<Entry | undefined> {
    const o = this.opts;
    const { searchEntries } = await client.search(o.baseDn, {
      scope: 'sub', filter: fillFilter(o.userFilter, { username }), sizeLimit: 2,
      attributes: ['displayName', 'cn', 'memberOf'],
    }).catch((err: unknown) => {
      // the server stops at the size limit when the filter matches more than one entry
      if (err instanceof ResultCodeError && err.code === 4) return { searchEntries: [{ dn: '' }, { dn: '' }] as Entry[] };
      throw err;
    });
    if (searchEntries.length > 1) this.log.warn({ ldapFilter: o.userFilter }, 'LDAP user filter matches several entries: login refused');
    return searchEntries.length === 1 ? searchEntries[0] : undefined;
  }

  /** Roles and scope from the user's groups; undefined when no group maps to a role. */
  private async viewOf(client: Client, username: string, user: Entry): Promise<DirectoryView | undefined> {
    const o = this.opts;
    const groupDns = o.groupBaseDn
      ? (await client.search(o.groupBaseDn, { scope: 'sub', filter: fillFilter(o.groupFilter, { dn: user.dn, username }), attributes: ['1.1'] })).searchEntries.map((e) => e.dn)
      : all(user.memberOf);
    const roles = mapped(o.roleMap, groupDns).filter(isRole);
    if (roles.length === 0) return undefined;
    const scope = o.scopeMap && mapped(o.scopeMap, groupDns);
    const groups = !scope || scope.includes('*') ? null : scope;
    return { username, displayName: first(user.displayName) ?? first(user.cn), roles, groups };
  }
}

/** The configured directory, or undefined when OV2X_LDAP_URL is unset. */
export function ldapDirectoryFrom(config: Config, log: Logger): LdapDirectory | undefined {
  const opts = ldapOptionsFrom(config);
  return opts && new LdapDirectory(opts, log);
}
