import { Type } from '@sinclair/typebox';

/** The one error body of the API: a stable code for programs, a message for people, details when useful. */
export const ErrorBody = Type.Object({
  code: Type.String({ description: 'stable, machine-readable' }),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
}, { $id: 'ErrorBody', description: 'Every 4xx/5xx answer of the API' });

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** extra response headers (WWW-Authenticate, Retry-After) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const unauthenticated = (message = 'authentication required'): ApiError =>
  new ApiError(401, 'unauthenticated', message, undefined, { 'www-authenticate': 'Bearer realm="ov2x"' });
export const forbidden = (message = 'not permitted', details?: unknown): ApiError => new ApiError(403, 'forbidden', message, details);
export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string): ApiError => new ApiError(409, 'conflict', message);
