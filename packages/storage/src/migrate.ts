/**
 * Migrations with kysely's Migrator, kept in code (a service lists its own),
 * recorded in the service's schema so instances never see each other's history.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

import { MigrationError } from './errors';
import type { Storage } from './storage';

export type { Migration } from 'kysely';

/** Named migrations; they run in the order of their names (prefix them 0001_, 0002_, ...). */
export type Migrations = Readonly<Record<string, Migration>>;

class InCodeProvider implements MigrationProvider {
  constructor(private readonly migrations: Migrations) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.migrations };
  }
}

export interface MigrationReport {
  /** Migrations applied by this call, in order. */
  readonly applied: readonly string[];
}

/**
 * Brings the schema up to the latest migration. The pending migrations run in
 * one transaction (PostgreSQL's DDL is transactional): a failure applies none.
 */
export async function migrateToLatest<DB>(storage: Storage<DB>, migrations: Migrations): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: storage.db as Kysely<unknown>,
    provider: new InCodeProvider(migrations),
    migrationTableSchema: storage.schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(storage.schema, failed, error);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
