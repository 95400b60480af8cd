import { readFileSync } from 'node:fs';
import { rowKey } from './baseline.js';
import type { CountedRow } from './measure.js';

/**
 * `node --import tsx src/icount/compare.ts A.json B.json [C.json…]`: how far runs saved with
 * `perf:icount -- --json FILE` disagree, per row (largest relative difference from the first run),
 * and over all rows. The evidence that counts are load-proof: two runs, one of them with the other
 * core busy, within ±2% on every row.
 */
const runs = process.argv.slice(2).map((file) => ({ file, ...(JSON.parse(readFileSync(file, 'utf8')) as { node: string; rows: CountedRow[] }) }));
if (runs.length < 2) throw new Error('usage: compare.ts A.json B.json [more.json]');
const [first, ...others] = runs as [(typeof runs)[number], ...typeof runs];
const byKey = others.map((run) => new Map(run.rows.map((r) => [rowKey(r), r.perOp])));
let worst = 0;
const lines = ['| row | ' + runs.map((r) => r.file.replace(/^.*\//, '')).join(' | ') + ' | largest difference |', `|---|${runs.map(() => '---:|').join('')}---:|`];
for (const row of first.rows) {
  const counts = [row.perOp, ...byKey.map((m) => m.get(rowKey(row)))];
  const diff = Math.max(...counts.map((c) => (c === undefined ? 0 : Math.abs(c / row.perOp - 1))));
  worst = Math.max(worst, diff);
  lines.push(`| ${rowKey(row)} | ${counts.map((c) => (c === undefined ? '—' : Math.round(c).toLocaleString('en-US'))).join(' | ')} | ${(diff * 100).toFixed(2)}% |`);
}
console.log(lines.join('\n'));
console.log(`\nlargest difference over ${first.rows.length} rows: ${(worst * 100).toFixed(2)}%`);
