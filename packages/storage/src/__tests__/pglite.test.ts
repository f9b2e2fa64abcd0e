import { storageContract } from '../../../../test/contracts/storage.contract';
import { InvalidSchemaNameError, UnsupportedDatabaseUrlError } from '../errors';
import { openStorage } from '../storage';

jest.setTimeout(60_000);

let next = 0;
storageContract('PGlite', (schema) => openStorage({ url: 'pglite:memory', schema }), () => `contract_${next++}`);

describe('openStorage', () => {
  it('refuses URLs it cannot serve, hiding the password', async () => {
    await expect(openStorage({ url: 'mysql://u:hunter2@h/db', schema: 's' })).rejects.toThrow(UnsupportedDatabaseUrlError);
    await expect(openStorage({ url: 'mysql://u:hunter2@h/db', schema: 's' })).rejects.not.toThrow(/hunter2/);
  });

  it('refuses schema names that are not plain identifiers', async () => {
    await expect(openStorage({ url: 'pglite:memory', schema: 'a"; drop table x; --' })).rejects.toThrow(InvalidSchemaNameError);
  });
});
