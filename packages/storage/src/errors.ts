/** Errors thrown by @learnchain/storage. */

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The database URL names no backend this package knows. */
export class UnsupportedDatabaseUrlError extends StorageError {
  constructor(readonly url: string) {
    super(`unsupported database URL '${redact(url)}': use postgres://..., pglite:memory or pglite:/path/to/dir`);
  }
}

/** A schema name that is not a plain SQL identifier (it is interpolated into DDL). */
export class InvalidSchemaNameError extends StorageError {
  constructor(readonly schema: string) {
    super(`invalid schema name '${schema}': use lower-case letters, digits and _ (at most 63), starting with a letter`);
  }
}

/** A migration failed; the run rolled back, the schema is as it was before it. */
export class MigrationError extends StorageError {
  constructor(
    readonly schema: string,
    readonly migration: string | undefined,
    override readonly cause: unknown,
  ) {
    super(`migration ${migration ?? '(unknown)'} of schema ${schema} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Hides the password of a database URL for logs and errors. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
