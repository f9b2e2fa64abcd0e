import { openStorage } from '@learnchain/storage';

import type { RegistryDb } from '../../services/registry/src/store/schema';
import { departedRetentionContract } from '../contracts/departed-retention.contract';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

jest.setTimeout(60_000);

describeWith(['postgres'], 'PostgreSQL', () => {
  departedRetentionContract('PostgreSQL', () => openStorage<RegistryDb>({ url: serviceUrl('postgres'), schema: uniqueName('departed').toLowerCase() }));
});
