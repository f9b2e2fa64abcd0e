const { existsSync } = require('node:fs');
const { join } = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/environment.js',
  roots: ['packages', 'services', 'cli', 'test'].filter((dir) => existsSync(join(__dirname, dir))).map((dir) => `<rootDir>/${dir}`),
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/test/{integration,e2e,infra}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@learnchain/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // Subpath entries (package.json "exports"), e.g. @learnchain/model/encoding → packages/model/src/encoding.ts.
    '^@learnchain/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 30000,
};
