import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Scenario {
  readonly name: string;
  /** Runs `ops` operations; the harness divides the elapsed time by `ops`. */
  run(ops: number): void | Promise<void>;
  setup?(): void | Promise<void>;
  teardown?(): void | Promise<void>;
}

export interface CompareOptions {
  /** File name under bench/results (and section id in bench/README.md). */
  readonly id: string;
  readonly title: string;
  /** Name of the scenario every ratio is computed against. */
  readonly baseline: string;
  readonly scenarios: readonly Scenario[];
  /** Operations per measured round. */
  readonly opsPerRound: number;
  readonly rounds?: number;
  readonly warmupRounds?: number;
  /**
   * Force a full GC before every measured run (default true): right for micro-benchmarks, where
   * one scenario's garbage must not be collected on another's time. Macro benchmarks (real I/O)
   * can turn it off: forced full GCs shrink V8's young generation and overcharge allocating scenarios.
   */
  readonly forceGc?: boolean;
  /** Free text under the table: what was measured, goals, caveats. */
  readonly notes?: (rows: readonly ResultRow[]) => string;
}

export interface ResultRow {
  readonly name: string;
  /** Median nanoseconds per operation over the rounds. */
  readonly medianNs: number;
  readonly ratio: number;
  readonly addedNs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/**
 * Runs scenarios side by side in one process: warm-up rounds, then measured rounds in an order
 * that rotates every round (no scenario always runs first), median ns/op per scenario.
 */
export async function compare(options: CompareOptions): Promise<ResultRow[]> {
  const rounds = options.rounds ?? 15;
  const warmup = options.warmupRounds ?? 3;
  const samples = new Map<string, number[]>(options.scenarios.map((s) => [s.name, []]));
  for (const scenario of options.scenarios) await scenario.setup?.();
  try {
    for (let round = 0; round < warmup + rounds; round++) {
      const order = options.scenarios.map((_, i) => options.scenarios[(i + round) % options.scenarios.length] as Scenario);
      for (const scenario of order) {
        if (options.forceGc !== false) (globalThis as { gc?: () => void }).gc?.();
        const start = process.hrtime.bigint();
        await scenario.run(options.opsPerRound);
        const elapsed = Number(process.hrtime.bigint() - start);
        if (round >= warmup) samples.get(scenario.name)!.push(elapsed / options.opsPerRound);
      }
    }
  } finally {
    for (const scenario of options.scenarios) await scenario.teardown?.();
  }
  const baseline = median(samples.get(options.baseline) ?? []);
  const rows = options.scenarios.map((s) => {
    const medianNs = median(samples.get(s.name)!);
    return { name: s.name, medianNs, ratio: medianNs / baseline, addedNs: medianNs - baseline };
  });
  writeResult(options, rows, rounds);
  return rows;
}

export function toMarkdown(options: Pick<CompareOptions, 'title' | 'baseline' | 'opsPerRound' | 'notes'>, rows: readonly ResultRow[], rounds: number): string {
  const lines = [
    `## ${options.title}`,
    '',
    `Median of ${rounds} rounds × ${options.opsPerRound} ops, scenarios rotated each round; ratio against \`${options.baseline}\`.`,
    '',
    '| scenario | median per op | ratio to baseline | added per op |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${formatNs(r.medianNs)} | ${r.ratio.toFixed(2)}× | ${r.name === options.baseline ? '—' : formatNs(r.addedNs)} |`),
  ];
  const notes = options.notes?.(rows);
  if (notes) lines.push('', notes);
  return lines.join('\n') + '\n';
}

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

function writeResult(options: CompareOptions, rows: readonly ResultRow[], rounds: number): void {
  const markdown = toMarkdown(options, rows, rounds);
  mkdirSync(RESULTS_DIR, { recursive: true });
  // Tables of another Node line (`npm run bench -- --node PATH`) sit beside the machine Node's.
  const suffix = process.env.THREADLINE_BENCH_SUFFIX === 'node' ? `-node${process.versions.node.split('.')[0]}` : '';
  writeFileSync(join(RESULTS_DIR, `${options.id}${suffix}.md`), `<!-- measured ${new Date().toISOString()} on node ${process.version} -->\n${markdown}`);
  console.log(`\n${markdown}`);
}

export function row(rows: readonly ResultRow[], name: string): ResultRow {
  const found = rows.find((r) => r.name === name);
  if (!found) throw new Error(`no bench row named ${name}`);
  return found;
}
