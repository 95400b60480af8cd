import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from './scenario.js';
import type { Setting } from './settings.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// Under the bench workspace's node_modules: its bare imports resolve there, and no linter or git sees it.
// One directory per measuring process: two counts (two Node lines) may run at once.
const BUNDLE_DIR = join(HERE, '..', '..', 'node_modules', '.threadline-icount', String(process.pid));
const PROBE_BUNDLE = join(BUNDLE_DIR, 'probe.mjs');

/**
 * The probe and the bench's own modules as plain JS (packages stay imports; one chunk per group,
 * loaded on demand): under valgrind no TypeScript loader runs, so a probe starts in a fraction of the time.
 */
async function bundleProbe(): Promise<void> {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  await build({ entryPoints: [join(HERE, 'probe.ts')], bundle: true, splitting: true, platform: 'node', format: 'esm', packages: 'external', outdir: BUNDLE_DIR, outExtension: { '.js': '.mjs' }, logLevel: 'warning' });
}

export interface CountedRow {
  readonly group: string;
  readonly setting: Setting;
  readonly name: string;
  readonly role: Role;
  readonly floor?: string;
  readonly anchor?: string;
  /** Instructions per operation of the counted run (all threads of the process). */
  readonly perOp: number;
  /** Spans the SDK recorded during the counted run. */
  readonly spans: number;
}

export interface Job {
  readonly group: string;
  /** Settings to count (all when empty; a setting-free group is counted under `sampled` only). */
  readonly settings?: readonly Setting[];
}

export interface MeasureOptions {
  /** The Node binary to count under (default: this one). */
  readonly node?: string;
  /** Extra environment for the probes (the self-test's planted slowdown). */
  readonly env?: NodeJS.ProcessEnv;
  /** Probes run at once; each is one valgrind process on one core. */
  readonly parallel?: number;
}

interface ProbeReport {
  group: string;
  ops: number;
  /** Counted runs per scenario. */
  runs: number;
  node: string;
  rows: Array<{ setting: Setting; name: string; role: Role; floor?: string; anchor?: string; spans: number }>;
}

/**
 * `--single-threaded`: no V8 background compiler or GC threads, so where their work lands (and how
 * much of it) does not depend on scheduling; `--random-seed`: the SDK's ids come from Math.random,
 * and with a ratio sampler they decide what is recorded; a young generation too large to fill
 * during a few counted runs (64 MB semi-spaces) and bytecode kept: collections are rare, and the
 * lesser of two counted runs drops a run that met one (or a late optimizing compile).
 */
const NODE_FLAGS = ['--single-threaded', '--random-seed=20', '--no-flush-bytecode', '--min-semi-space-size=64', '--max-semi-space-size=64'];

function runProbe(job: Job, options: MeasureOptions): Promise<{ report: ProbeReport; parts: number[]; node: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-icount-'));
  const args = ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'cg.out')}`, '--dump-before=uv_get_constrained_memory', options.node ?? process.execPath, ...NODE_FLAGS, PROBE_BUNDLE, job.group, ...(job.settings ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const line = stdout.split('\n').find((l) => l.startsWith('ICOUNT '));
        if (code !== 0 || !line) throw new Error(`valgrind probe ${job.group} exited ${code}:\n${stderr.slice(-2000)}`);
        const report = JSON.parse(line.slice('ICOUNT '.length)) as ProbeReport;
        // Parts are numbered in dump order: cg.out.1, cg.out.2, … (the unnumbered file is the rest up to exit).
        const parts = readdirSync(dir)
          .map((f) => /^cg\.out\.(\d+)$/.exec(f))
          .filter((m): m is RegExpExecArray => m !== null)
          .sort((a, b) => Number(a[1]) - Number(b[1]))
          .map((m) => totalOf(readFileSync(join(dir, m[0]), 'utf8')));
        resolve({ report, parts, node: report.node });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

function totalOf(profile: string): number {
  const match = /^(?:totals|summary): (\d+)/m.exec(profile);
  if (!match) throw new Error('callgrind part without totals');
  return Number(match[1]);
}

/** Counts every job's scenarios under callgrind: instructions per op of each counted run. */
export async function measure(jobs: readonly Job[], options: MeasureOptions = {}): Promise<{ rows: CountedRow[]; node: string }> {
  await bundleProbe();
  try {
    return await measureBundled(jobs, options);
  } finally {
    rmSync(BUNDLE_DIR, { recursive: true, force: true });
  }
}

async function measureBundled(jobs: readonly Job[], options: MeasureOptions): Promise<{ rows: CountedRow[]; node: string }> {
  const queue = [...jobs];
  const rows: CountedRow[][] = [];
  let node = '';
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const index = jobs.indexOf(job);
      const { report, parts } = await runProbe(job, options);
      node = report.node;
      // Per scenario, the part up to its first cut (warm-up or the row before) and its counted runs; Node's own startup
      // may call the cut function before the probe runs (it sizes the heap from it): one more part first.
      const perRow = 1 + report.runs;
      const first = parts.length - perRow * report.rows.length;
      if (first < 0 || first > 1) throw new Error(`${job.group}: ${parts.length} callgrind parts for ${report.rows.length} scenarios`);
      rows[index] = report.rows.map((r, k) => {
        const runs = parts.slice(first + perRow * k + 1, first + perRow * (k + 1));
        return { ...r, group: job.group, perOp: Math.min(...runs) / report.ops };
      });
      if (process.env.THREADLINE_ICOUNT_DEBUG) console.error(job, parts);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, worker));
  return { rows: rows.flat(), node };
}
