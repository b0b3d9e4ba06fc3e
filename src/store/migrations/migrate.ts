import { Migrator, type Kysely, type MigrationResult } from 'kysely';
import { migrations } from './index.js';

export class MigrationError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(migrationName ? `migration ${migrationName} failed: ${reason}` : `migrations failed: ${reason}`, { cause });
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration in order; returns the names applied now. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<{ applied: string[] }> {
  const { error, results = [] } = await migratorOf(db).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r: MigrationResult) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** The migrations not yet applied, in order (the CLI announces them before a long migration). */
export async function pendingMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  return (await migratorOf(db).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function migratorOf<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    // The migrator's bookkeeping tables use snake_case columns of their own;
    // keep CamelCasePlugin away from them and from the DDL.
    db: db.withoutPlugins(),
    provider: { getMigrations: async () => Object.fromEntries(migrations.map((m) => [m.name, m.migration])) },
    // Forward-only and linear: a migration older than the last applied one is an error.
    allowUnorderedMigrations: false,
  });
}
