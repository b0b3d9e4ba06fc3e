import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { isUniqueViolation } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { conflict } from '../errors.js';
import { DateTime } from '../schemas.js';

const Group = Type.Object({ id: Type.String(), name: Type.String(), createdAt: DateTime });

/** Station groups (sites): the scopes of RBAC. A scoped caller sees only its own. */
export async function stationGroupRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const groups = ctx.services.identity.stationGroups;

  api.get('/station-groups', {
    config: { permission: 'stations:read' },
    schema: { tags: ['stations'], summary: 'Station groups in scope', response: { 200: Type.Object({ items: Type.Array(Group) }) } },
  }, async (req) => {
    const scope = req.principal!.groups;
    const all = await groups.list();
    return { items: all.filter((g) => !scope || scope.includes(g.id)).map((g) => ({ ...g, createdAt: g.createdAt.toISOString() })) };
  });

  api.post('/station-groups', {
    // creating scopes is an administrator's act: it changes who can see what
    config: { permission: 'users:manage', audit: 'station-group.create' },
    schema: {
      tags: ['stations'], summary: 'Create a station group',
      body: Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }), name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      response: { 201: Group },
    },
  }, async (req, reply) => {
    try {
      const g = await groups.create(req.body.id, req.body.name);
      return reply.code(201).send({ ...g, createdAt: g.createdAt.toISOString() });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`station group ${req.body.id} exists`);
      throw err;
    }
  });
}
