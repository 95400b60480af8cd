import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReadme } from './readme.js';

/**
 * `npm run bench [-- [--node PATH] name...]`: runs every `src/*.bench.ts` (or the named ones) one after the other,
 * each in its own process, then rebuilds bench/README.md from all stored result tables.
 */
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// `--node PATH`: run every benchmark under another Node binary (its tables get a -node<major> suffix).
const nodeAt = args.indexOf('--node');
const node = nodeAt === -1 ? process.execPath : args[nodeAt + 1];
if (!node) throw new Error('--node needs the path of a Node binary');
const filters = nodeAt === -1 ? args : args.filter((_, i) => i !== nodeAt && i !== nodeAt + 1);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.startsWith(name)))
  .sort();

const failed: string[] = [];
for (const file of files) {
  console.log(`\n# ${file}`);
  // One process per benchmark: OTel's global providers can be registered once per process.
  const env = nodeAt === -1 ? process.env : { ...process.env, THREADLINE_BENCH_SUFFIX: 'node' };
  const run = spawnSync(node, ['--expose-gc', '--import', 'tsx', join(here, 'run-one.ts'), join(here, file)], { stdio: 'inherit', env });
  if (run.status !== 0) failed.push(file);
}

writeReadme();
console.log('\nwrote bench/README.md');
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
process.exit(0);
