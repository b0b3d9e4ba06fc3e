import type { TokenRepo } from '../../store/index.js';
import type { Authorization } from '../model.js';

/** Answers "may this token charge?" for both OCPP versions from the token store. */
export class TokenService {
  constructor(private readonly tokens: TokenRepo) {}

  async authorize(idToken: string, now = new Date()): Promise<Authorization> {
    const t = await this.tokens.get(idToken);
    if (!t) return { status: 'Unknown' };
    const expired = t.expiresAt !== null && t.expiresAt.getTime() <= now.getTime();
    return {
      status: expired && t.status === 'Accepted' ? 'Expired' : t.status,
      expiresAt: t.expiresAt ?? undefined,
      groupIdToken: t.groupIdToken ?? undefined,
    };
  }
}
