import { openStorage } from '@learnchain/storage';

import { retentionContract } from '../../../../test/contracts/retention.contract';
import { chunkRows, ProcessMemory } from '../store/blob-bytes';
import type { AggregatorDb } from '../store/schema';

jest.setTimeout(60_000);

const memory = () => openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'aggregator' });
retentionContract('PGlite, bytes in chunk rows', memory, () => chunkRows);
retentionContract('PGlite, bytes in process memory', memory, () => new ProcessMemory());
