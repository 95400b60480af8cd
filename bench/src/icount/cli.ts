import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { judge, rowKey, toBaseline, type Baseline } from './baseline.js';
import { GROUP_IDS, loadGroup } from './groups.js';
import { measure, type CountedRow } from './measure.js';
import { writeReadme } from '../readme.js';
import { toMarkdown } from './report.js';
import { isSetting } from './settings.js';

/**
 * `npm run perf:icount -- [--node PATH] [--groups a,b]`: counts instructions per op under callgrind
 * and writes bench/results/08-icount-node<major>.md. `npm run perf:guard`: the same on this Node,
 * compared with bench/icount-baseline.json (exit 1 when a threadline row grew more than 10%);
 * `-- --update` re-baselines.
 */
const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASELINE_FILE = join(BENCH, 'icount-baseline.json');
/** Fresh-process counts of a group the guard finds over the limit before it fails. */
const RECOUNTS = 2;

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    'node-flags': { type: 'string' },
    tag: { type: 'string' },
    groups: { type: 'string' },
    settings: { type: 'string' },
    guard: { type: 'boolean', default: false },
    update: { type: 'boolean', default: false },
    /** Write nothing under results/ (a repeat run to compare, the self-test). */
    'no-write': { type: 'boolean', default: false },
    /** Print the raw rows as JSON to this file (comparing two runs). */
    json: { type: 'string' },
    /** Count nothing: take the rows of an earlier run's --json file (tables, re-baselining from a run already made). */
    rows: { type: 'string' },
    baseline: { type: 'string', default: BASELINE_FILE },
  },
});
const groups = values.groups ? values.groups.split(',') : GROUP_IDS;
const settings = values.settings ? values.settings.split(',').filter(isSetting) : undefined;
if (values.update && (values.groups || values.settings)) throw new Error('--update re-baselines every group and setting: run it without --groups / --settings');
const started = Date.now();
interface Counted {
  rows: CountedRow[];
  node: string;
  seconds?: string;
  load?: string;
}
const earlier = values.rows ? (JSON.parse(readFileSync(values.rows, 'utf8')) as Counted) : undefined;
const measureOptions = { ...(values.node ? { node: values.node } : {}), ...(values['node-flags'] ? { nodeFlags: values['node-flags'].split(' ').filter(Boolean) } : {}) };
const { rows, node } = earlier ? earlier : await measure(groups.map((group) => ({ group, ...(settings ? { settings } : {}) })), measureOptions);
const seconds = earlier?.seconds ?? ((Date.now() - started) / 1000).toFixed(0);
const titles = Object.fromEntries(await Promise.all(groups.map(async (id) => [id, (await loadGroup(id)).title] as const)));
const load = earlier?.load ?? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');
const flags = values['node-flags'] && !values.rows ? ` ${values['node-flags']}` : '';
const markdown = `${toMarkdown(rows, `${node}${flags}`, titles)}\nCounted in ${seconds} s (2 probes at a time under valgrind); load average at the end ${load}.\n`;

if (values.json) writeFileSync(values.json, `${JSON.stringify({ node: `${node}${flags}`, seconds, load, rows }, null, 1)}\n`);
if (((!values.guard && !values.groups && !values.settings) || values.update) && !values['no-write']) {
  const file = `08-icount-node${node.replace(/^v/, '').split('.')[0]}${values.tag ? `-${values.tag}` : ''}`;
  writeFileSync(join(BENCH, 'results', `${file}.md`), `<!-- counted ${new Date().toISOString()} on node ${node}${flags} -->\n${markdown}`);
  // The raw counts beside the table: lines compared across Node versions read these.
  writeFileSync(join(BENCH, 'results', `${file}.json`), `${JSON.stringify({ node: `${node}${flags}`, rows }, null, 1)}\n`);
  writeReadme();
}
console.log(markdown);
if (values.update) {
  writeFileSync(values.baseline, `${JSON.stringify(toBaseline(rows, node), null, 2)}\n`);
  console.log(`wrote ${values.baseline}`);
} else if (values.guard) {
  const baseline = JSON.parse(readFileSync(values.baseline, 'utf8')) as Baseline;
  let { failures, lines } = judge(rows, node, baseline);
  // A row's JIT state can differ from one process to the next (the BullMQ rows: +20–33% in one
  // process of the same code); a regression shows in every process, so a failing group is counted
  // again in fresh processes and each row's least count is judged.
  for (let recount = 1; recount <= RECOUNTS && failures.length > 0 && !earlier; recount++) {
    const failing = [...new Set(failures.map((f) => f.split(' / ')[0]!).filter((g) => groups.includes(g)))];
    if (failing.length === 0) break;
    console.log(`  re-counting ${failing.join(', ')} in a fresh process (${recount} of ${RECOUNTS})`);
    const again = await measure(failing.map((group) => ({ group, ...(settings ? { settings } : {}) })), measureOptions);
    const least = new Map(again.rows.map((r) => [rowKey(r), r]));
    for (let i = 0; i < rows.length; i++) {
      const other = least.get(rowKey(rows[i]!));
      if (other && other.perOp < rows[i]!.perOp) rows[i] = other;
    }
    ({ failures, lines } = judge(rows, node, baseline));
  }
  console.log(lines.map((l) => `  ${l}`).join('\n'));
  if (failures.length > 0) {
    console.error(`\nperf guard FAILED (${failures.length}):\n${failures.map((f) => `  ${f}`).join('\n')}`);
    console.error('If the growth is intended, re-baseline: npm run perf:guard -w @threadline/bench -- --update (and commit bench/icount-baseline.json).');
    process.exit(1);
  }
  console.log(`\nperf guard passed: ${lines.length} threadline rows within ${10}% of the baseline (${seconds} s)`);
}
