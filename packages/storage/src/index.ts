/** @learnchain/storage: kysely over PostgreSQL and PGlite, one schema per service instance. */
export * from './errors';
export * from './storage';
export * from './migrate';
export { sql, type Kysely, type Transaction, type Generated, type Selectable, type Insertable, type Updateable, type ColumnType } from 'kysely';
