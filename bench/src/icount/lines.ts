import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReadme } from '../readme.js';
import type { CountedRow } from './measure.js';
import { added } from './report.js';

/**
 * `npm run perf:lines`: one table across the Node lines counted so far (results/08-icount-node*.json):
 * per threadline row and setting, the baseline, the floor's and threadline's added counts, and the
 * ratios to floor and anchor, so what a Node line changed reads in one place.
 */
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results');
const lines = readdirSync(RESULTS)
  .filter((f) => /^08-icount-node\d+(-[\w-]+)?\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as { node: string; rows: CountedRow[] })
  .sort((a, b) => Number(a.node.slice(1).split('.')[0]) - Number(b.node.slice(1).split('.')[0]) || a.node.length - b.node.length);
const fmt = (n: number | undefined) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`);

const out = [
  '## Instruction counts across Node lines',
  '',
  'Per threadline row and setting (from the `08-icount-node*` sections): the baseline row\'s count, what the floor',
  'and threadline add to it, and threadline\'s added count over the floor\'s and the anchor\'s.',
  '',
  '| row | setting | Node | baseline | floor added | threadline added | ÷ floor | ÷ anchor |',
  '|---|---|---|---:|---:|---:|---:|---:|',
];
const keys = lines[0]?.rows.filter((r) => r.role === 'threadline') ?? [];
for (const key of keys) {
  for (const line of lines) {
    const rows = line.rows;
    const pick = (name: string | undefined) => (name === undefined ? undefined : rows.find((r) => r.group === key.group && r.setting === key.setting && r.name === name));
    const ours = pick(key.name);
    if (!ours) continue;
    const same = rows.filter((r) => r.group === ours.group && r.setting === ours.setting);
    const base = same.slice(0, same.indexOf(ours) + 1).reverse().find((r) => r.role === 'baseline');
    const floor = pick(ours.floor);
    const anchor = pick(ours.anchor);
    const [oursAdded, floorAdded, anchorAdded] = [added(rows, ours), floor && added(rows, floor), anchor && added(rows, anchor)];
    out.push(`| ${key.group}: ${key.name} | ${key.setting} | ${line.node} | ${fmt(base?.perOp)} | ${fmt(floorAdded)} | ${fmt(oursAdded)} | ${ratio(oursAdded, floorAdded)} | ${ratio(oursAdded, anchorAdded)} |`);
  }
}
writeFileSync(join(RESULTS, '09-icount-lines.md'), `${out.join('\n')}\n`);
writeReadme();
console.log(out.join('\n'));
