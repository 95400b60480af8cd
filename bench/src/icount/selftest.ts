import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, rowKey } from './baseline.js';
import type { CountedRow } from './measure.js';

/**
 * `npm run perf:guard:selftest`: the guard must fail. First its verdict on a made-up baseline, then
 * a real guard run (knex group, all-sampled setting) with a slowdown planted in the threadline row
 * (THREADLINE_ICOUNT_PLANT extra loop turns per op), which must exit 1 naming that row.
 */
const row = (perOp: number, role: CountedRow['role'] = 'threadline'): CountedRow => ({ group: 'g', setting: 'sampled', name: 'ours', role, perOp, spans: 0 });
const baseline = { node: process.version, rows: { [rowKey(row(0))]: 1000 } };
assert.equal(judge([row(1100)], process.version, baseline).failures.length, 0, '+10.0% is within the limit');
assert.equal(judge([row(1101)], process.version, baseline).failures.length, 1, '+10.1% fails');
assert.equal(judge([row(5000, 'anchor')], process.version, baseline).failures.length, 0, 'only threadline rows are guarded');
assert.equal(judge([{ ...row(900), name: 'renamed' }], process.version, baseline).failures.length, 1, 'a baseline row no longer measured fails');
assert.equal(judge([row(1000)], 'v99.0.0', baseline).failures.length, 1, 'another Node line fails');
console.log('verdicts on a made-up baseline: ok');

const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.ts');
const started = Date.now();
const planted = spawnSync(process.execPath, ['--import', 'tsx', cli, '--guard', '--groups', 'knex', '--settings', 'sampled'], {
  env: { ...process.env, THREADLINE_ICOUNT_PLANT: process.env.THREADLINE_ICOUNT_PLANT ?? '1000' },
  encoding: 'utf8',
});
process.stdout.write(planted.stdout);
process.stderr.write(planted.stderr);
assert.equal(planted.status, 1, 'the guard exits 1 on the planted slowdown');
assert.match(planted.stderr, /knex \/ sampled \/ replay, threadline: .*more than 10% over the baseline/);
console.log(`planted slowdown in knex / sampled / replay, threadline: the guard failed as it must (${((Date.now() - started) / 1000).toFixed(0)} s)`);
