import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { mapClaims } from '../../src/domain/identity/oidc-claims.js';
import { claimPath, oidcOptions, type OidcOptions } from '../../src/domain/identity/oidc-options.js';
import { OidcTokenError, OidcUnavailableError, OidcVerifier } from '../../src/domain/identity/oidc-verifier.js';
import { call } from '../helpers/api.js';
import { API_AUDIENCE, externalRole, startTestProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { startTestPlatform } from '../helpers/platform.js';

const defaults = loadConfig({}, {});
const optionsFor = (over: Partial<typeof defaults>): OidcOptions => oidcOptions({ ...defaults, ...over })!;

describe('OpenID Connect configuration', () => {
  it('is off without an issuer', () => {
    assert.equal(oidcOptions(defaults), undefined);
  });

  it('refuses at start what would weaken token checks, naming every problem', () => {
    const bad: Array<[Partial<typeof defaults>, RegExp]> = [
      [{ oidcIssuer: 'https://idp.example', oidcAudience: undefined }, /OV2X_OIDC_AUDIENCE is required/],
      [{ oidcIssuer: 'http://idp.example', oidcAudience: 'api' }, /https/],
      [{ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcAlgorithms: 'RS256,HS256' }, /not HS256/],
      [{ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcAlgorithms: 'none' }, /not none/],
      [{ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcRoleMap: 'ov2x-admin=superuser' }, /ov2x-admin=superuser/],
      [{ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcClientId: 'portal' }, /OV2X_OIDC_REDIRECT_URL is required/],
      [{ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcClientId: 'portal', oidcRedirectUrl: 'https://p.example/cb', oidcPostLoginUrl: '//evil.example' }, /POST_LOGIN_URL/],
      [{ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcClientId: 'portal', oidcRedirectUrl: 'https://p.example/cb', oidcScopes: 'profile' }, /include openid/],
    ];
    for (const [over, reason] of bad) assert.throws(() => oidcOptions({ ...defaults, ...over }), (e: unknown) => e instanceof ConfigError && reason.test(e.message), JSON.stringify(over));
    const many = (() => { try { oidcOptions({ ...defaults, oidcIssuer: 'ftp://x', oidcAlgorithms: 'HS512' }); } catch (e) { return (e as ConfigError).problems; } return []; })();
    assert.equal(many.length, 3, 'issuer, audience and algorithm reported together');
  });

  it('maps roles from a claim path (escaped dots, string or array) and keeps the scope closed without the groups claim', () => {
    assert.deepEqual(claimPath('resource_access.my\\.client.roles'), ['resource_access', 'my.client', 'roles']);
    const opts = optionsFor({ oidcIssuer: 'https://idp.example', oidcAudience: 'api', oidcRolesClaim: 'resource_access.my\\.client.roles', oidcRoleMap: 'ops=support_l2,ops=support_l1,boss=admin', oidcGroupsClaim: 'groups' });
    const claims = { resource_access: { 'my.client': { roles: 'ops other' } } };
    assert.deepEqual(mapClaims(claims, opts), { roles: ['support_l1', 'support_l2'], groups: [], adminWithoutMfa: false });
    assert.deepEqual(mapClaims({ ...claims, groups: ['/site-a', 'site-b', 7] }, opts).groups, ['site-a', 'site-b']);
    const boss = { resource_access: { 'my.client': { roles: ['boss'] } } };
    assert.deepEqual(mapClaims(boss, opts).roles, []);
    assert.equal(mapClaims(boss, opts).adminWithoutMfa, true);
    assert.deepEqual(mapClaims({ ...boss, amr: ['pwd', 'hwk'] }, opts).roles, ['admin']);
    assert.deepEqual(mapClaims({ ...boss, acr: 'gold' }, { ...opts, mfaAcr: new Set(['gold']) }).roles, ['admin']);
    assert.deepEqual(mapClaims(boss, { ...opts, requireMfa: false }).roles, ['admin']);
    // a claim path through a non-object, or inherited keys, yields nothing
    assert.deepEqual(mapClaims({ resource_access: 'x' }, opts).roles, []);
    assert.deepEqual(mapClaims(JSON.parse('{"resource_access":{"__proto__":{"roles":["boss"]}}}') as Record<string, unknown>, opts).roles, []);
  });
});

describe('OpenID Connect verifier against a real provider', () => {
  let idp: TestProvider;
  before(async () => { idp = await startTestProvider(); });
  after(async () => { await idp?.stop(); });

  it('tolerates the configured clock skew past exp, and no more', async () => {
    const token = await idp.mint({ roles: [externalRole('dso')], ttlS: 60 });
    const exp = decodeJwt(token).exp! * 1000;
    const at = (skewS: number): OidcVerifier => new OidcVerifier(optionsFor({ ...idp.platformConfig(), oidcClockSkew: skewS }), () => exp + 30_000);
    assert.equal((await at(60).verifyAccessToken(token)).sub, 'ov2x-machine');
    await assert.rejects(at(10).verifyAccessToken(token), (e: unknown) => e instanceof OidcTokenError && e.problem === 'expired');
  });

  it('refuses a token issued before the clock of a provider ahead of ours beyond the skew', async () => {
    const token = await idp.mint({ roles: [externalRole('dso')] });
    const iat = decodeJwt(token).iat! * 1000;
    const v = new OidcVerifier(optionsFor({ ...idp.platformConfig(), oidcClockSkew: 5 }), () => iat - 120_000);
    await assert.rejects(v.verifyAccessToken(token), (e: unknown) => e instanceof OidcTokenError && e.problem === 'not_yet_valid');
    const tolerant = new OidcVerifier(optionsFor({ ...idp.platformConfig(), oidcClockSkew: 180 }), () => iat - 120_000);
    assert.equal((await tolerant.verifyAccessToken(token)).sub, 'ov2x-machine');
  });

  it('trusts a discovery document only when it names exactly the configured issuer', async () => {
    // same server, other spelling of the issuer: the provider names itself differently
    const v = new OidcVerifier(optionsFor({ ...idp.platformConfig(), oidcIssuer: idp.issuer.replace('127.0.0.1', 'localhost') }));
    await assert.rejects(v.metadata(), (e: unknown) => e instanceof OidcUnavailableError && /another issuer/.test(e.message));
  });
});

describe('OpenID Connect with the provider down', () => {
  it('answers 503 (not 401) while tokens cannot be checked, and 404 for the portal login when no client is configured', async () => {
    const idp = await startTestProvider();
    const token = await idp.mint({ roles: [externalRole('cpo_manager')], audience: API_AUDIENCE });
    const config = idp.platformConfig();
    await idp.stop();
    const platform = await startTestPlatform(config);
    try {
      const res = await call(platform, 'GET', '/stations', { token });
      assert.equal(res.status, 503);
      assert.equal(res.body.code, 'oidc_unavailable');
      const login = await call(platform, 'GET', '/auth/oidc/login');
      assert.equal(login.status, 404);
      assert.equal(login.body.code, 'oidc_login_disabled');
    } finally {
      await platform.stop();
    }
  });
});
