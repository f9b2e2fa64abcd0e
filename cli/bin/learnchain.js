#!/usr/bin/env node
// Runs the TypeScript sources through tsx, resolving @learnchain/* to the workspace sources.
const { join } = require('node:path');
process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || join(__dirname, '..', '..', 'tsconfig.json');
require('tsx/cjs');
require('../src/main.ts').main();
