import { openStorage } from '@learnchain/storage';

import { departedRetentionContract } from '../../../../test/contracts/departed-retention.contract';
import type { RegistryDb } from '../store/schema';

jest.setTimeout(60_000);

departedRetentionContract('PGlite', () => openStorage<RegistryDb>({ url: 'pglite:memory', schema: 'registry' }));
