import type { Authorization } from '../../domain/model.js';
import type { IdTokenInfoType } from '../types/generated/v201.js';

export function idTokenInfo(a: Authorization): IdTokenInfoType {
  return {
    status: a.status,
    ...(a.expiresAt && { cacheExpiryDateTime: a.expiresAt.toISOString() }),
    ...(a.groupIdToken && { groupIdToken: { idToken: a.groupIdToken, type: 'Central' as const } }),
  };
}
