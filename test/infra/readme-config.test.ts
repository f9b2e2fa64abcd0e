import { readFileSync } from 'node:fs';

import { README, readmeWithReference } from '../../scripts/config-reference';

describe('README configuration reference', () => {
  it('matches the services\' config schemas (npm run docs:config regenerates it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readmeWithReference(readme)).toBe(readme);
  });
});
