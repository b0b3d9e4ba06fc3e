import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';
import { idTokenInfo } from '../id-token.js';

/** Functional block C — Authorization. */
export const authorizationHandlers = {
  async Authorize(req: Req<'Authorize'>, ctx: StationContext): Promise<Res<'Authorize'>> {
    const a = await ctx.services.tokens.authorize(req.idToken.idToken);
    ctx.services.events.emit({ type: 'token.authorized', stationId: ctx.stationId, idToken: req.idToken.idToken, token: await ctx.services.privacy.pseudonym(req.idToken.idToken), authorization: a });
    return { idTokenInfo: idTokenInfo(a) };
  },
};
