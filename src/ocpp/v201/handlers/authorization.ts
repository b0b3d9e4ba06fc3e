import type { StationContext } from '../../adapter.js';
import type { Actions } from '../../types/generated/v201.js';
import { idTokenInfo } from '../id-token.js';

type Req<A extends keyof Actions> = Actions[A]['request'];
type Res<A extends keyof Actions> = Actions[A]['response'];

/** Functional block C — Authorization. */
export const authorizationHandlers = {
  async Authorize(req: Req<'Authorize'>, ctx: StationContext): Promise<Res<'Authorize'>> {
    const a = await ctx.services.tokens.authorize(req.idToken.idToken);
    ctx.services.events.emit({ type: 'token.authorized', stationId: ctx.stationId, idToken: req.idToken.idToken, authorization: a });
    return { idTokenInfo: idTokenInfo(a) };
  },
};
