import { openStorage } from '@learnchain/storage';

import { updateRetentionContract } from '../../../../test/contracts/update-retention.contract';
import { chunkRows, ProcessMemory } from '../store/blob-bytes';
import type { AggregatorDb } from '../store/schema';

jest.setTimeout(60_000);

const memory = () => openStorage<AggregatorDb>({ url: 'pglite:memory', schema: 'aggregator' });
updateRetentionContract('PGlite, bytes in chunk rows', memory, () => chunkRows);
updateRetentionContract('PGlite, bytes in process memory', memory, () => new ProcessMemory());
