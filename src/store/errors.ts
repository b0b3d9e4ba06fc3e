// Typed errors for the constraint violations callers act on, so code above the
// store never matches on SQLSTATE strings. Both pg and PGlite errors carry `code`.

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** A row with the same key already exists. */
export class DuplicateError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
    cause?: unknown,
  ) {
    super(`${entity} ${JSON.stringify(key)} already exists`, { cause });
    this.name = 'DuplicateError';
  }
}

/** The row is still referenced by other rows and cannot be removed. */
export class InUseError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
    cause?: unknown,
  ) {
    super(`${entity} ${JSON.stringify(key)} is still referenced`, { cause });
    this.name = 'InUseError';
  }
}

export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === UNIQUE_VIOLATION;
}

export function isForeignKeyViolation(err: unknown): boolean {
  return sqlState(err) === FOREIGN_KEY_VIOLATION;
}
