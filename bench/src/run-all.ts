import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReadme } from './readme.js';

/**
 * `npm run bench [-- name...]`: runs every `src/*.bench.ts` (or the named ones) one after the other,
 * each in its own process, then rebuilds bench/README.md from all stored result tables.
 */
const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.startsWith(name)))
  .sort();

const failed: string[] = [];
for (const file of files) {
  console.log(`\n# ${file}`);
  // One process per benchmark: OTel's global providers can be registered once per process.
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'run-one.ts'), join(here, file)], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(file);
}

writeReadme();
console.log('\nwrote bench/README.md');
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
process.exit(0);
