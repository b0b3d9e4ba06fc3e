/**
 * A dependency of the domain (a directory, a provider) cannot be reached right now. The edges
 * answer it as "try again later" (HTTP 503 with Retry-After), never as the caller's fault.
 */
export class DependencyUnavailable extends Error {
  constructor(
    /** stable, machine-readable: `directory_unavailable`, ... */
    readonly code: string,
    message: string,
    readonly retryAfterS = 30,
  ) {
    super(message);
    this.name = 'DependencyUnavailable';
  }
}
