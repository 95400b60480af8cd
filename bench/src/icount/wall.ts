import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReadme } from '../readme.js';
import { GROUP_IDS, loadGroup } from './groups.js';
import type { CountedRow } from './measure.js';
import { samplingGoal, toMarkdown } from './report.js';
import { installSettings, SETTINGS, useSetting } from './settings.js';

/**
 * `npm run bench:settings -w @threadline/bench`: the instruction-count groups' rows (baseline, floor,
 * threadline, anchor) timed in wall-clock under the three settings (all sampled, ParentBased(TraceIdRatio
 * 0.1), metrics only). One child process per group; in it, every round runs every setting's every row
 * once, the order of settings and rows rotated each round; the median ns per op over the rounds is kept.
 * Writes results/09-wall-settings-node<major>.md (the Node running it: `scripts/node-line.sh run V npm run ...`)
 * with the same ratios and sampling-goal lines as the counts.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.THREADLINE_WALL_ROUNDS ?? 21);
const WARMUP = 4;
/** Each timed run is this many times a group's ops: long enough (ms) for the clock, short enough for many rounds. */
const SCALE = 4;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timeGroup(id: string): Promise<CountedRow[]> {
  const recorded = installSettings();
  const group = await loadGroup(id);
  const scenarios = await group.setup();
  const settings = group.settingFree ? (['sampled'] as const) : SETTINGS;
  const ops = group.ops * SCALE;
  const cells = settings.flatMap((setting) => scenarios.map((scenario) => ({ setting, scenario, samples: [] as number[], spans: 0 })));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[(k + round) % cells.length]!;
      useSetting(cell.setting);
      cell.scenario.before?.();
      const spansBefore = recorded.ended;
      const start = process.hrtime.bigint();
      await cell.scenario.run(ops);
      const ns = Number(process.hrtime.bigint() - start) / ops;
      cell.spans = recorded.ended - spansBefore;
      cell.scenario.after?.();
      if (round >= WARMUP) cell.samples.push(ns);
    }
  }
  return cells.map(({ setting, scenario, samples, spans }) => ({
    group: id,
    setting,
    name: scenario.name,
    role: scenario.role,
    ...(scenario.floor ? { floor: scenario.floor } : {}),
    ...(scenario.anchor ? { anchor: scenario.anchor } : {}),
    perOp: median(samples),
    spread: 0,
    runtimePerOp: 0,
    spans,
  }));
}

const [child] = process.argv.slice(2);
if (child) {
  console.log(`WALL ${JSON.stringify(await timeGroup(child))}`);
  process.exit(0);
}
const started = Date.now();
const rows: CountedRow[] = [];
for (const id of GROUP_IDS) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'wall.ts'), id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = run.stdout.split('\n').find((l) => l.startsWith('WALL '));
  if (run.status !== 0 || !line) throw new Error(`wall-time group ${id} exited ${run.status}`);
  rows.push(...(JSON.parse(line.slice(5)) as CountedRow[]));
  console.error(`${id}: done`);
}
const titles = Object.fromEntries(await Promise.all(GROUP_IDS.map(async (id) => [id, (await loadGroup(id)).title] as const)));
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');
const table = toMarkdown(rows, process.version, titles)
  .replace(/^## Instruction counts per operation \(callgrind, Node (.*)\)$/m, '## Wall time per operation under the three settings (Node $1)')
  .replace(/^Instructions per operation on the main thread[\s\S]*?no tracer provider\.$/m, [
    `Median nanoseconds per operation over ${ROUNDS} rounds (after ${WARMUP} uncounted), every setting's every row once`,
    'per round in an order rotated each round, one process per group: the instruction-count scenarios timed. "added" is a',
    'row minus the baseline row above it. `sampled`: every span recorded; `ratio-0.1`: ParentBased(TraceIdRatio 0.1),',
    'one request in ten sampled; `metrics-only`: no tracer provider. Numbers are ns (not instructions).',
  ].join('\n'))
  .replace(/^- steady state:.*\n|^- not steady.*\n/gm, '');
const verdicts = rows
  .filter((r) => r.role === 'threadline' && r.setting === 'ratio-0.1')
  .map((r) => {
    const goal = samplingGoal(rows, r.group, r.name) ?? '';
    return `${r.group} / ${r.name}: ${/not applicable/.test(goal) ? 'not applicable' : /: met/.test(goal) ? 'met' : 'NOT met'}`;
  });
const summary = [
  `Sampling goal (at ratio 0.1 added ≤ metrics-only + 0.15 × (all-sampled − metrics-only)), wall time: ${verdicts.join('; ')}.`,
  'Where the SDK floor row misses the goal, the unsampled share is the OTel API and SDK themselves: a',
  'ParentBased sampler still builds a non-recording span per operation, its context and the sampler call,',
  'about half of what a recorded span adds at 1 in 10 sampled. threadline does not ask for that span when the',
  'parent is known unsampled (`isUnsampledParent` in @threadline/core; @threadline/node declares its ParentBased',
  'samplers). A row that records no span in any setting has no goal line.',
  '',
].join('\n');
const markdown = `<!-- measured ${new Date().toISOString()} on node ${process.version} -->\n${table}\n${summary}\nMeasured in ${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end ${load}.\n`;
writeFileSync(join(HERE, '..', '..', 'results', `09-wall-settings-node${process.versions.node.split('.')[0]}.md`), markdown);
writeReadme();
console.log(markdown);
