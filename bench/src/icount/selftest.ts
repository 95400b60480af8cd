import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, rowKey } from './baseline.js';
import type { CountedRow } from './measure.js';

/**
 * `npm run perf:guard:selftest`: the guard must fail. First its verdict on a made-up baseline, then
 * a real guard run of the smallest group (collector: one valgrind process, well under two minutes) with
 * a slowdown planted in its threadline rows (THREADLINE_ICOUNT_PLANT extra loop turns per op), which
 * must exit 1 naming the row (THREADLINE_SELFTEST_CLEAN=1: then the same run without the plant, which must pass).
 */
const row = (perOp: number, role: CountedRow['role'] = 'threadline'): CountedRow => ({ group: 'g', setting: 'sampled', name: 'ours', role, perOp, spread: 0, runtimePerOp: 0, spans: 0 });
const baseline = { node: process.version, rows: { [rowKey(row(0))]: 1000 } };
assert.equal(judge([row(1100)], process.version, baseline).failures.length, 0, '+10.0% is within the limit');
assert.equal(judge([row(1101)], process.version, baseline).failures.length, 1, '+10.1% fails');
assert.equal(judge([row(5000, 'anchor')], process.version, baseline).failures.length, 0, 'only threadline rows are guarded');
assert.equal(judge([{ ...row(900), name: 'renamed' }], process.version, baseline).failures.length, 1, 'a baseline row no longer measured fails');
assert.equal(judge([row(1000)], 'v99.0.0', baseline).failures.length, 1, 'another Node line fails');
console.log('verdicts on a made-up baseline: ok');

const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.ts');
const started = Date.now();
const guard = (plant: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, '--guard', '--groups', 'collector'], {
    env: { ...process.env, THREADLINE_ICOUNT_PLANT: plant },
    encoding: 'utf8',
  });
// 100 loop turns per op: a few hundred instructions, more than 10% of the histogram record (~360 per op on Node 24).
const planted = guard(process.env.THREADLINE_ICOUNT_PLANT ?? '100');
process.stdout.write(planted.stdout);
process.stderr.write(planted.stderr);
assert.equal(planted.status, 1, 'the guard exits 1 on the planted slowdown');
assert.match(planted.stderr, /collector \/ sampled \/ threadline bound histogram\.record: .*more than 10% over the baseline/);
console.log(`planted slowdown in collector / sampled / threadline bound histogram.record: the guard failed as it must (${((Date.now() - started) / 1000).toFixed(0)} s)`);
// Without the plant the same run passes: that is `npm run perf:guard` itself (CI runs it next), not repeated here.
if (process.env.THREADLINE_SELFTEST_CLEAN === '1') {
  const clean = guard('0');
  process.stdout.write(clean.stdout);
  process.stderr.write(clean.stderr);
  assert.equal(clean.status, 0, 'the same guard run without the plant passes');
  console.log(`without the plant the guard passed (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
}
