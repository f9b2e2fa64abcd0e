#!/usr/bin/env node
// `npm run bench -- NAME [args]`: runs test/bench/NAME.ts. A benchmark prints
// its figures and ends with one JSON line; it never fails on a timing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const benches = readdirSync(join(root, 'test/bench')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
if (!name || !benches.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]\nbenchmarks: ${benches.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const tsx = join(root, 'node_modules/.bin/tsx');
if (!existsSync(tsx)) {
  console.error('tsx is missing: run npm ci first');
  process.exit(2);
}
const result = spawnSync(tsx, [join(root, 'test/bench', `${name}.ts`), ...args], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
