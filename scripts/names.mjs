// Writes the "Names" section of every package README from the naming registry in @threadline/core
// (run `npm run build` first: it reads core's dist). `--check` changes nothing and exits 1 on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTRIBUTE_CATALOG, NAME_REGISTRY, metricStability, withNamesSection } from '@threadline/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const drifted = [];
for (const pkg of NAME_REGISTRY) {
  const file = join(root, 'packages', pkg.package.replace('@threadline/', ''), 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = withNamesSection(before, pkg);
  if (after === before) continue;
  drifted.push(file);
  if (!check) writeFileSync(file, after);
}

const metrics = new Set(NAME_REGISTRY.flatMap((pkg) => pkg.metrics.map((m) => m.name)));
const count = (tag) => ATTRIBUTE_CATALOG.filter((n) => n.stability === tag).length + [...metrics].filter((m) => metricStability(m) === tag).length;
console.log(`registry: ${count('stable')} stable semconv, ${count('incubating')} incubating semconv, ${count('owned')} threadline-owned names (attributes, events, metrics)`);
if (check && drifted.length > 0) {
  console.error(`README names sections out of date (run npm run names):\n${drifted.join('\n')}`);
  process.exit(1);
}
if (!check) console.log(drifted.length > 0 ? `updated:\n${drifted.join('\n')}` : 'READMEs up to date');
