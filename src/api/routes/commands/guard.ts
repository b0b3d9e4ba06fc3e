import type { FastifyRequest } from 'fastify';
import type { CommandKind } from '../../../domain/commands.js';
import { commandPermission } from '../../../domain/identity/command-permissions.js';
import { can, inScope, type Principal } from '../../../domain/identity/principal.js';
import type { ApiContext } from '../../context.js';
import { ApiError, forbidden, notFound } from '../../errors.js';

/** 403 unless the caller holds the permission this command kind needs (the route's own is only a floor). */
export function requireKind(p: Principal, kind: CommandKind): void {
  const permission = commandPermission[kind];
  if (!can(p, permission)) throw forbidden(`${kind} needs permission ${permission}`, { permission, kind });
}

/** 404 unless every station exists and is in the caller's scope: a batch is refused as a whole, naming none. */
export async function requireScope(ctx: ApiContext, p: Principal, stationIds: readonly string[]): Promise<void> {
  const groups = await Promise.all(stationIds.map((id) => ctx.services.identity.stationGroups.groupOf(id)));
  if (groups.some((g) => g === undefined || !inScope(p, g))) throw notFound('station');
}

/**
 * Applies the switching limits (AC2) to `n` commands of `kind`: a refusal is a security event
 * and a 429 saying which limit and, when waiting helps, after how long (Retry-After).
 */
export async function enforceSwitchingLimits(req: FastifyRequest, ctx: ApiContext, kind: CommandKind, stationIds: readonly string[]): Promise<void> {
  const p = req.principal!;
  const refusal = await ctx.services.identity.switchingLimits.check(p, kind, stationIds.length);
  if (!refusal) return;
  const { scope, role, limit, windowS, retryAfterS } = refusal;
  await ctx.services.security.record({
    type: 'SwitchingLimitExceeded', severity: 'warning', sourceIp: req.ip,
    ...(stationIds.length === 1 && { stationId: stationIds[0] }),
    details: { principal: p.id, role, kind, scope, limit, windowS, requested: stationIds.length },
  });
  const message = scope === 'batch'
    ? `at most ${limit} stations per switching batch`
    : `at most ${limit} switching commands per ${windowS} s; try again in ${retryAfterS} s`;
  throw new ApiError(429, 'switching_limit', message, { scope, limit, windowS, ...(retryAfterS !== undefined && { retryAfterS }) },
    retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {});
}
