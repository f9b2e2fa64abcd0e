import { migrateToLatest, openStorage, type Kysely } from '@learnchain/storage';

import { migrations, type AggregatorDb } from '../store/schema';

jest.setTimeout(60_000);

/** The jobs table before 0005. */
type EarlierDb = { jobs: { job_id: string; spec: string; created_at_ms: number } };

it('gives jobs stored before it knew last rounds the last round of their spec (0: none)', async () => {
  const storage = await openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'aggregator' });
  try {
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0005'));
    await migrateToLatest(storage, before);
    const spec = (rounds: unknown): string => JSON.stringify({ jobId: 'x', rounds });
    const earlier = storage.db as unknown as Kysely<EarlierDb>;
    for (const [job_id, rounds] of [['bounded', 12], ['endless', 0], ['odd', 'many']] as const) await earlier.insertInto('jobs').values({ job_id, spec: spec(rounds), created_at_ms: 1 }).execute();
    expect((await migrateToLatest(storage, migrations)).applied).toEqual(['0005_job_last_round', '0006_rounds_by_model']);
    const rows = await storage.db.selectFrom('jobs').select(['job_id', 'last_round']).orderBy('job_id').execute();
    expect(rows.map((r) => [r.job_id, Number(r.last_round)])).toEqual([
      ['bounded', 12],
      ['endless', 0],
      ['odd', 0],
    ]);
  } finally {
    await storage.close();
  }
});
