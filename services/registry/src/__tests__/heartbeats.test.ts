import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

import { HeartbeatBatcher, type Renewed } from '../store/heartbeats';
import type { RegistryDb } from '../store/schema';

/** A database whose renewal statements finish only when the test says: what each statement carried, in order. */
class HeldDatabase {
  readonly statements: { readonly nodes: readonly string[]; readonly finish: () => void }[] = [];

  kysely(): Kysely<RegistryDb> {
    const statements = this.statements;
    const connection: DatabaseConnection = {
      executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        const [nodes, , leases] = query.parameters as [string[], unknown[], number[]];
        return new Promise((resolve) => {
          const rows = nodes.map((node, i) => ({ node_id: node, epoch: 7, lease_expires_at: leases[i] }));
          statements.push({ nodes: [...nodes], finish: () => resolve({ rows: rows as R[] }) });
        });
      },
      streamQuery() {
        throw new Error('not used');
      },
    };
    const none = async (): Promise<void> => undefined;
    const driver: Driver = {
      init: none,
      acquireConnection: async () => connection,
      beginTransaction: none,
      commitTransaction: none,
      rollbackTransaction: none,
      releaseConnection: none,
      destroy: none,
    };
    return new Kysely<RegistryDb>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => driver,
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('lease renewal batches', () => {
  it('keep up to three statements in flight, and a node\u2019s renewals in the order they came', async () => {
    const database = new HeldDatabase();
    const batcher = new HeartbeatBatcher(database.kysely());
    const renewal = (nodeId: string, sequence: number): Promise<Renewed | undefined> =>
      batcher.renew({ nodeId, sequence, leaseExpiresAtMs: 1000 + sequence, aliveFromMs: 0 });

    const first = [renewal('a', 1), renewal('b', 1)];
    await settle();
    const aAgain = renewal('a', 2); // waits: a's first renewal is still being written
    const rest = [renewal('c', 1), renewal('d', 1)];
    await settle();
    expect(database.statements.map((s) => s.nodes)).toEqual([['a'], ['b'], ['c']]);

    database.statements[1]!.finish(); // b done: d goes out, a still waits for its first
    await settle();
    expect(database.statements.map((s) => s.nodes)).toEqual([['a'], ['b'], ['c'], ['d']]);

    database.statements[0]!.finish(); // a's first done: its second goes out after it
    await settle();
    expect(database.statements.map((s) => s.nodes)).toEqual([['a'], ['b'], ['c'], ['d'], ['a']]);

    for (const statement of database.statements.slice(2)) statement.finish();
    await expect(Promise.all([...first, aAgain, ...rest])).resolves.toEqual([
      { epoch: 7, leaseExpiresAtMs: 1001 },
      { epoch: 7, leaseExpiresAtMs: 1001 },
      { epoch: 7, leaseExpiresAtMs: 1002 },
      { epoch: 7, leaseExpiresAtMs: 1001 },
      { epoch: 7, leaseExpiresAtMs: 1001 },
    ]);
  });
});
