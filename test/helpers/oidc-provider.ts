import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../../src/config/config.js';
import type { Role } from '../../src/domain/identity/roles.js';

/** The API audience (resource indicator) the test platforms accept. */
export const API_AUDIENCE = 'urn:ov2x:api';
/** The external role names the test platforms map (one per OV2X role). */
export const TEST_ROLE_MAP = 'ov2x-admin=admin,ov2x-cpo=cpo_manager,ov2x-billing=billing_manager,ov2x-emsp=emsp_manager,ov2x-l1=support_l1,ov2x-l2=support_l2,ov2x-dso=dso,ov2x-roaming=roaming_partner,ov2x-ems=ems';
/** OV2X role → the external role name the test provider puts in tokens for it. */
export const externalRole = (role: string): string => TEST_ROLE_MAP.split(',').map((p) => p.split('=')).find(([, r]) => r === role)?.[0] ?? role;

/** A person at the provider, for the portal login. */
export interface ProviderUser {
  username: string;
  /** external role names (realm_access.roles) */
  roles: string[];
  groups?: string[];
  /** signs in with a second factor (amr pwd+otp) */
  mfa?: boolean;
}

export interface MintOptions {
  /** external role names, e.g. ['ov2x-cpo'] (see externalRole) */
  roles?: string[];
  /** resource indicator = `aud`; default API_AUDIENCE */
  audience?: string;
  /** lifetime (s); default 300 */
  ttlS?: number;
  /** `amr` claim, e.g. ['pwd', 'otp'] to show MFA */
  amr?: string[];
  /** station-group claim (`groups`) */
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  /** an access token (JWT) issued by the provider through its client_credentials grant */
  mint(opts?: MintOptions): Promise<string>;
  /**
   * A token the test platform maps to exactly these OV2X roles (with a second factor shown, so
   * admin is kept). For the authorization matrix: `foreign.tokenFor(['admin'])` from a second
   * provider is a foreign-issuer token, `idp.tokenFor(['admin'], { audience: 'urn:other' })` a
   * wrong-audience one.
   */
  tokenFor(roles: readonly Role[], opts?: Omit<MintOptions, 'roles'>): Promise<string>;
  /** the confidential portal client; its redirect URI is any loopback port (RFC 8252 §7.3) */
  portal: { clientId: string; clientSecret: string };
  addUser(user: ProviderUser): void;
  /** drives the provider's side of a portal login: from the authorization URL to the callback URL (with code and state) */
  signIn(authorizationUrl: string, username: string): Promise<URL>;
  /** publishes a new signing key (first in the set, so new tokens use it), keeping the old ones listed */
  rotateKeys(): Promise<string>;
  /** key ids of the published set, signing key first */
  kids(): string[];
  /** the platform settings for this provider as issuer: audience API_AUDIENCE, TEST_ROLE_MAP, no clock skew, no JWKS cool-down, tokens not scoped to groups */
  platformConfig(extra?: Partial<Config>): Partial<Config>;
  stop(): Promise<void>;
}

/** The few parts of oidc-provider (it ships no type declarations) this helper uses. */
interface Grant { addOIDCScope(scope: string): void; save(): Promise<string> }
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, opts: { mergeWithLastSubmission: boolean }): Promise<void>;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ prompt: { name: string }; params: { client_id: string; scope: string }; session?: { accountId: string } }>;
  Grant: new (init: { clientId: string; accountId: string }) => Grant;
}
interface Ctx {
  oidc: {
    body?: Record<string, unknown>;
  };
}
type Configuration = Record<string, unknown>;
// a computed specifier: the package has no declarations, so it is typed by the interfaces above
const oidcProviderModule = 'oidc-provider';
const { default: Provider } = await import(oidcProviderModule) as { default: new (issuer: string, config: Configuration) => ProviderInstance };

const MACHINE_CLIENT = 'ov2x-machine';
const PORTAL_CLIENT = 'ov2x-portal';

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

/** The token request's extra fields: how the test asks for roles, lifetime and amr of a machine token. */
const bodyOf = (ctx: Ctx): Record<string, string | undefined> => (ctx.oidc.body ?? {}) as Record<string, string | undefined>;
const listOf = (v: string | undefined): string[] => (v ?? '').split(' ').filter(Boolean);

/**
 * A real OpenID provider (the certified `oidc-provider`) on a loopback port: JWT access tokens
 * for a resource indicator through client_credentials, and the authorization-code flow with
 * PKCE for the portal, whose login step the test drives with plain HTTP requests.
 */
export async function startTestProvider(): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const machineSecret = randomBytes(24).toString('base64url');
  const portalSecret = randomBytes(24).toString('base64url');
  const cookieKeys = [randomBytes(24).toString('base64url')];
  const users = new Map<string, ProviderUser>();
  let keys: JWK[] = [await newSigningKey()];

  const configuration = (): Configuration => ({
    clients: [
      { client_id: MACHINE_CLIENT, client_secret: machineSecret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      {
        client_id: PORTAL_CLIENT, client_secret: portalSecret, application_type: 'native',
        grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: ['http://127.0.0.1/api/v1/auth/oidc/callback'],
      },
    ],
    jwks: { keys },
    cookies: { keys: cookieKeys },
    pkce: { required: () => true },
    // profile claims in the ID token itself: the platform reads roles from it
    conformIdTokenClaims: false,
    claims: { openid: ['sub', 'amr', 'auth_time'], profile: ['preferred_username', 'realm_access', 'groups'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: Ctx) => ({
          scope: 'api', accessTokenFormat: 'jwt',
          accessTokenTTL: Number(bodyOf(ctx).ov2x_ttl ?? 300),
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (ctx: Ctx, token: { kind: string }) => {
      if (token.kind !== 'ClientCredentials') return undefined;
      const b = bodyOf(ctx);
      return {
        realm_access: { roles: listOf(b.ov2x_roles) },
        ...(b.ov2x_amr !== undefined && { amr: listOf(b.ov2x_amr) }),
        ...(b.ov2x_groups !== undefined && { groups: listOf(b.ov2x_groups) }),
      };
    },
    findAccount: (_ctx: Ctx, sub: string) => {
      const user = users.get(sub);
      return user && {
        accountId: sub,
        claims: () => ({ sub, preferred_username: user.username, realm_access: { roles: user.roles }, ...(user.groups && { groups: user.groups }) }),
      };
    },
    interactions: { url: (_ctx: Ctx, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });

  let provider = new Provider(issuer, configuration());
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const login = /^\/interaction\/([\w-]+)\/login$/.exec(req.url ?? '');
    if (login && req.method === 'POST') void finishLogin(provider, users, req, res);
    else void provider.callback()(req, res);
  });

  async function mint(opts: MintOptions = {}): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', resource: opts.audience ?? API_AUDIENCE, scope: 'api', ov2x_roles: (opts.roles ?? []).join(' ') });
    if (opts.ttlS !== undefined) body.set('ov2x_ttl', String(opts.ttlS));
    if (opts.amr) body.set('ov2x_amr', opts.amr.join(' '));
    if (opts.groups) body.set('ov2x_groups', opts.groups.join(' '));
    const res = await fetch(`${issuer}/token`, {
      method: 'POST', body,
      headers: { authorization: `Basic ${Buffer.from(`${MACHINE_CLIENT}:${machineSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    const answer = await res.json() as { access_token?: string };
    assert.equal(res.status, 200, `token request failed: ${JSON.stringify(answer)}`);
    return answer.access_token!;
  }

  return {
    issuer,
    portal: { clientId: PORTAL_CLIENT, clientSecret: portalSecret },
    addUser: (u) => void users.set(u.username, u),
    mint,
    tokenFor(roles, opts = {}) {
      return mint({ amr: ['pwd', 'otp'], ...opts, roles: roles.map(externalRole) });
    },
    async signIn(authorizationUrl, username) {
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
        const res = interaction
          // the login form of the provider, submitted as a browser would
          ? await fetch(`${issuer}${url.pathname}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username }) })
          : await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
        keepCookies(jar, res);
        const location = res.headers.get('location');
        assert.ok(location, `the provider stopped at ${url.pathname} with ${res.status}: ${await res.text()}`);
        url = new URL(location, url);
        if (!url.href.startsWith(issuer)) return url;
      }
      assert.fail('too many redirects at the provider');
    },
    async rotateKeys() {
      keys = [await newSigningKey(), ...keys];
      provider = new Provider(issuer, configuration());
      return keys[0]!.kid!;
    },
    kids: () => keys.map((k) => k.kid!),
    platformConfig: (extra = {}) => ({
      oidcIssuer: issuer, oidcAudience: API_AUDIENCE, oidcRoleMap: TEST_ROLE_MAP, oidcClockSkew: 0, oidcJwksCooldown: 0, ...extra,
    }),
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The provider's interaction steps: the account named in the form signs in (with a second factor when it has one) and consents. */
async function finishLogin(provider: ProviderInstance, users: Map<string, ProviderUser>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const username = new URLSearchParams(raw).get('username') ?? '';
    const user = users.get(username);
    const details = await provider.interactionDetails(req, res);
    let result: object;
    if (details.prompt.name === 'consent') {
      // the user agrees to what the client asked for (a native client is always asked)
      const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session!.accountId });
      grant.addOIDCScope(details.params.scope);
      result = { consent: { grantId: await grant.save() } };
    } else {
      result = user
        ? { login: { accountId: username, amr: user.mfa ? ['pwd', 'otp'] : ['pwd'] } }
        : { error: 'access_denied', error_description: 'unknown user' };
    }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err));
  }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

function keepCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) <= Date.now()) || value === '';
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}
