import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { settings, type SettingName } from '../../config/settings.js';
import { mfaRequired, machineRoles, permissionMatrix, permissions, roles } from '../../domain/identity/roles.js';
import type { ApiContext } from '../context.js';

const SettingView = Type.Object({
  name: Type.String(),
  env: Type.String(),
  doc: Type.String(),
  secret: Type.Boolean({ description: 'a secret setting: only whether it is set, never its value' }),
  set: Type.Boolean(),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], { description: 'null for secrets and unset settings' }),
});

/** the settings the identity view shows: the login directories */
const identitySettings = (Object.keys(settings) as SettingName[]).filter((k) => k.startsWith('ldap') || k.startsWith('oidc'));

/**
 * Read-only administration views: the role matrix and the LDAP / OpenID Connect settings in
 * force (secrets reported as set or not, never shown). Changing them is configuration, not API.
 */
export async function adminSettingsRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/roles', {
    config: { permission: 'users:read' },
    schema: {
      tags: ['users'], summary: 'Roles and what each may do (the permission matrix)',
      response: { 200: Type.Object({
        permissions: Type.Array(Type.String()),
        items: Type.Array(Type.Object({ role: Type.String(), permissions: Type.Array(Type.String()), mfaRequired: Type.Boolean(), machineOnly: Type.Boolean() })),
      }) },
    },
  }, async () => ({
    permissions: [...permissions],
    items: roles.map((r) => ({ role: r, permissions: [...permissionMatrix[r]], mfaRequired: mfaRequired.has(r), machineOnly: machineRoles.has(r) })),
  }));

  api.get('/settings/identity', {
    config: { permission: 'users:read' },
    schema: {
      tags: ['users'], summary: 'The LDAP and OpenID Connect settings in force, secrets left out',
      response: { 200: Type.Object({ ldap: Type.Boolean(), oidc: Type.Boolean(), items: Type.Array(SettingView) }) },
    },
  }, async () => ({
    ldap: Boolean(ctx.config.ldapUrl),
    oidc: Boolean(ctx.config.oidcIssuer),
    items: identitySettings.map((name) => {
      const s: { env: string; doc: string; secret?: boolean } = settings[name];
      const v = ctx.config[name] as string | number | boolean | undefined;
      const isSet = v !== undefined && v !== '';
      return { name, env: s.env, doc: s.doc, secret: s.secret === true, set: isSet, value: s.secret || !isSet ? null : v };
    }),
  }));
}
