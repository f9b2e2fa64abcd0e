/**
 * One interface over two backends: PostgreSQL through `pg` (every deployment)
 * and PGlite, PostgreSQL compiled to WebAssembly and run in-process (the devnet
 * and a bare machine's tests). Each service instance owns one schema; every
 * connection's search_path points at it, so queries name tables plainly.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';

import { InvalidSchemaNameError, redact, UnsupportedDatabaseUrlError } from './errors';

export type Backend = 'postgres' | 'pglite';

export interface StorageOptions {
  /** postgres://user:pass@host:port/db, pglite:memory, or pglite:/path/to/dir */
  readonly url: string;
  /** The schema this service instance owns, created when missing. */
  readonly schema: string;
  /** Connections in the pool (PostgreSQL only). */
  readonly poolSize?: number;
  /** Where a connection the server closed (idle, or held between queries) is reported (PostgreSQL only). */
  readonly logger?: { warn(details: object, message: string): void };
}

export interface Storage<DB> {
  readonly db: Kysely<DB>;
  readonly schema: string;
  readonly backend: Backend;
  /** Whether the database lives only in this process's memory (pglite:memory): nothing in it outlives the process. */
  readonly inMemory: boolean;
  /** The URL with its password hidden, for logs. */
  readonly description: string;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function backendOf(url: string): Backend {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (url.startsWith('pglite:')) return 'pglite';
  throw new UnsupportedDatabaseUrlError(url);
}

/** Opens the database, creates the schema when missing and points the search_path at it. */
export async function openStorage<DB>(options: StorageOptions): Promise<Storage<DB>> {
  if (!SCHEMA_NAME.test(options.schema)) throw new InvalidSchemaNameError(options.schema);
  const backend = backendOf(options.url);
  const db = backend === 'postgres' ? await openPostgres<DB>(options) : await openPglite<DB>(options);
  return {
    db,
    schema: options.schema,
    backend,
    inMemory: isInMemory(options.url),
    description: `${backend} ${redact(options.url)} schema ${options.schema}`,
    close: () => db.destroy(),
  };
}

async function openPostgres<DB>(options: StorageOptions): Promise<Kysely<DB>> {
  // Create the schema on a throwaway connection first: the pool's connections
  // start with search_path set to it.
  const setup = new Pool({ connectionString: options.url, max: 1 });
  try {
    await setup.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  } catch (error) {
    // Two instances may race to create the same schema; the loser sees a unique violation.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await setup.end();
  }
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path="${options.schema}"`,
    // Names the service instance in pg_stat_activity.
    application_name: `learnchain:${options.schema}`,
  });
  // The server closed a connection (a restart, a failover, an administrator) while it was idle in the pool, or
  // checked out between two queries: the query under way, if any, fails; the pool drops the connection and opens
  // another when needed. Unheard, the error event of the pool or of the client would end the process.
  const lost = (error: Error): void => options.logger?.warn({ reason: error.message, code: (error as { code?: string }).code, schema: options.schema }, 'the database closed a connection; another is opened when needed');
  pool.on('connect', (client) => client.on('error', lost));
  pool.on('error', () => undefined); // an idle connection's error, which its own listener above reported
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The data directory of a fresh in-memory PGlite, dumped by the first one this
 * process opens: initdb is most of an instance's start (about 4 s on 2 cores),
 * loading a copy about 1.5 s, and the devnet opens five.
 */
let freshDataDir: Promise<Blob> | undefined;

/**
 * PGlite's start parameters, with 16 MB of shared buffers instead of
 * PostgreSQL's 128 MB: an instance's buffers are pages of its WebAssembly
 * memory that it touches at start, so each held about 210 MB of the process's
 * memory, 90 MB now (the devnet opens six). The embedded databases are small
 * and the blobs they serve are cached above them.
 */
function pgliteOptions(PGlite: typeof import('@electric-sql/pglite').PGlite): { startParams: string[] } {
  return { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] };
}

async function memoryPglite(PGlite: typeof import('@electric-sql/pglite').PGlite): Promise<import('@electric-sql/pglite').PGlite> {
  if (freshDataDir) return PGlite.create({ ...pgliteOptions(PGlite), loadDataDir: await freshDataDir });
  const first = PGlite.create(pgliteOptions(PGlite));
  const dump = first.then((db) => db.dumpDataDir('none'));
  freshDataDir = dump;
  dump.catch(() => {
    if (freshDataDir === dump) freshDataDir = undefined; // the next one tries again
  });
  await dump; // before anything else runs on the first one
  return first;
}

/** What follows `pglite:` in a URL: `memory` (or nothing) or a directory. */
function pgliteLocation(url: string): string {
  return url.slice('pglite:'.length);
}

function isMemoryLocation(location: string): boolean {
  return location === 'memory' || location === '' || location === '//';
}

/** Whether a database URL names a database that lives only in this process's memory (pglite:memory). */
export function isInMemory(url: string): boolean {
  return backendOf(url) === 'pglite' && isMemoryLocation(pgliteLocation(url));
}

async function openPglite<DB>(options: StorageOptions): Promise<Kysely<DB>> {
  // Loaded on demand: deployments on PostgreSQL never pay for the WebAssembly build.
  const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { PGliteDialect } = require('kysely-pglite-dialect') as typeof import('kysely-pglite-dialect');
  const location = pgliteLocation(options.url);
  const pglite = isMemoryLocation(location) ? await memoryPglite(PGlite) : new PGlite(location, pgliteOptions(PGlite));
  await pglite.waitReady;
  await pglite.exec(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"; SET search_path TO "${options.schema}";`);
  return new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
}

/** `count(*)` comes back as a string from pg and as a number from PGlite. */
export function toCount(value: string | number | bigint | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

/** Whether the backend answers a trivial query. */
export async function ping(db: Kysely<unknown>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
