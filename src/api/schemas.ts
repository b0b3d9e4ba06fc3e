import { Type, type TSchema } from '@sinclair/typebox';
import { IDENTITY, identityRule } from '../domain/stations/identity.js';

/** Query of every list endpoint: offset pagination and sorting over the columns `sortable` names. */
export function listQuery<S extends string, F extends Record<string, TSchema>>(sortable: readonly [S, ...S[]], filters: F) {
  return Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
    sort: Type.Optional(Type.Union(sortable.map((s) => Type.Literal(s)))),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    ...filters,
  }, { additionalProperties: false });
}

/** The envelope of every list answer. */
export function page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Optional(Type.Integer({ description: 'all matches, when cheap to count' })),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });
}

export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);
export const isoOrNull = (d: Date | null): string | null => d && d.toISOString();
export const StationId = Type.String({ pattern: IDENTITY.source, description: identityRule });
export const StationIdParam = Type.Object({ stationId: StationId });
