import { openStorage } from '@learnchain/storage';

import { storageContract } from '../contracts/storage.contract';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

describeWith(['postgres'], 'PostgreSQL storage', () => {
  storageContract('PostgreSQL', (schema) => openStorage({ url: serviceUrl('postgres'), schema }), () => uniqueName('contract').toLowerCase());
});
