import { openStorage } from '@learnchain/storage';

import type { AggregatorDb } from '../../services/aggregator/src/store/schema';
import { chunkRows } from '../../services/aggregator/src/store/blob-bytes';
import { retentionContract } from '../contracts/retention.contract';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

jest.setTimeout(60_000);

describeWith(['postgres'], 'PostgreSQL', () => {
  retentionContract('PostgreSQL', () => openStorage<AggregatorDb>({ url: serviceUrl('postgres'), schema: uniqueName('retention').toLowerCase() }), () => chunkRows);
});
