import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { partCost, type PartCost } from './profile.js';
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
  /** Instructions per operation (the main thread; the least of the counted runs). */
  readonly perOp: number;
  /** (second least − least) / least over the counted runs: near 0 when the row was in steady state. */
  readonly spread: number;
  /** V8's compiler, deoptimizer and GC instructions per op in the kept run (see profile.ts): near 0 in steady state. */
  readonly runtimePerOp: number;
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
  /** More Node flags for the probes (`--no-async-context-frame`). */
  readonly nodeFlags?: readonly string[];
}

interface ProbeReport {
  group: string;
  ops: number;
  /** Counted runs per scenario. */
  runs: number;
  node: string;
  /** Per cut point, in order: the row whose counted run ends there, or null. */
  cuts: Array<number | null>;
  rows: Array<{ setting: Setting; name: string; role: Role; floor?: string; anchor?: string; spans: number }>;
}

/**
 * V8 in its predictable mode: `--predictable` (no background compiler or GC threads, no memory
 * reducer, no work timed by the clock), `--single-threaded-gc`; fixed `--random-seed` (the SDK's ids
 * come from Math.random, and with a ratio sampler they decide what is recorded) and `--hash-seed`;
 * bytecode never flushed (a flushed function would be compiled again inside a later count); 64 MB
 * semi-spaces, so a counted run rarely meets a scavenge. Not `--predictable-gc-schedule`: it forces
 * 4 MB semi-spaces whatever else is given, and so scavenges inside counted runs.
 */
export const NODE_FLAGS = process.env.THREADLINE_ICOUNT_NODE_FLAGS?.split(' ') ?? [
  '--predictable',
  '--no-memory-reducer',
  '--single-threaded',
  '--single-threaded-gc',
  '--random-seed=1',
  '--hash-seed=1',
  '--no-flush-bytecode',
  '--min-semi-space-size=64',
  '--max-semi-space-size=64',
];

/**
 * `--fair-sched=yes`: threads take turns in a fixed order, not by who wins the lock;
 * `--separate-threads=yes`: a profile per thread, and only the main thread's instructions are counted
 * (Node's platform workers and libuv's thread pool wake by the clock, which load moves).
 */
const VALGRIND_FLAGS = ['--tool=callgrind', '--fair-sched=yes', '--separate-threads=yes', '--dump-instr=no', '--dump-line=no', '--dump-before=uv_get_constrained_memory'];

function runProbe(job: Job, options: MeasureOptions): Promise<{ report: ProbeReport; parts: PartCost[]; node: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-icount-'));
  const args = [...VALGRIND_FLAGS, `--callgrind-out-file=${join(dir, 'cg.out')}`, options.node ?? process.execPath, ...NODE_FLAGS, ...(options.nodeFlags ?? []), PROBE_BUNDLE, job.group, ...(job.settings ?? [])];
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
        // Parts are numbered in dump order, one file per thread: cg.out.1-01, cg.out.2-01, … (thread 01 is the main
        // thread; the unnumbered file is the rest up to exit).
        const parts = readdirSync(dir)
          .map((f) => /^cg\.out\.(\d+)-01$/.exec(f))
          .filter((m): m is RegExpExecArray => m !== null)
          .sort((a, b) => Number(a[1]) - Number(b[1]))
          .map((m) => partCost(readFileSync(join(dir, m[0]), 'utf8')));
        resolve({ report, parts, node: report.node });
      } catch (error) {
        reject(error);
      } finally {
        if (process.env.THREADLINE_ICOUNT_KEEP) console.error(`kept ${dir}`);
        else rmSync(dir, { recursive: true, force: true });
      }
    });
  });
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
      // Part k ends at the probe's cut k; Node's own startup may call the cut function before the probe runs (it sizes
      // the heap from it): then one part more comes first.
      const first = parts.length - report.cuts.length;
      if (first < 0 || first > 1) throw new Error(`${job.group}: ${parts.length} callgrind parts for ${report.cuts.length} cut points`);
      const runs = report.rows.map(() => [] as PartCost[]);
      report.cuts.forEach((row, k) => {
        if (row !== null) runs[row]!.push(parts[first + k]!);
      });
      rows[index] = report.rows.map((r, k) => {
        const sorted = [...runs[k]!].sort((a, b) => a.total - b.total);
        const [least, next] = [sorted[0]!, sorted[1] ?? sorted[0]!];
        return { ...r, group: job.group, perOp: least.total / report.ops, spread: (next.total - least.total) / least.total, runtimePerOp: least.runtime / report.ops };
      });
      if (process.env.THREADLINE_ICOUNT_DEBUG) console.error(job, parts.map((p) => `${p.total - p.runtime}+${p.runtime}`).join(' '));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, worker));
  return { rows: rows.flat(), node };
}
