import type { CountedRow } from './measure.js';

/** The committed counts the guard compares with: per row key, instructions per op. */
export interface Baseline {
  readonly node: string;
  readonly rows: Record<string, number>;
}

/** Growth over the baseline that fails the guard. */
export const MAX_GROWTH = 0.1;

export const rowKey = (r: Pick<CountedRow, 'group' | 'setting' | 'name'>) => `${r.group} / ${r.setting} / ${r.name}`;

export function toBaseline(rows: readonly CountedRow[], node: string): Baseline {
  return { node, rows: Object.fromEntries(rows.map((r) => [rowKey(r), Math.round(r.perOp)])) };
}

export interface Verdict {
  readonly failures: string[];
  readonly lines: string[];
}

/**
 * Every threadline row against its baseline count: more than MAX_GROWTH above fails, and so does a
 * baseline row no longer measured in a group and setting that was (a renamed scenario is re-baselined
 * on purpose, not skipped).
 */
export function judge(rows: readonly CountedRow[], node: string, baseline: Baseline): Verdict {
  const failures: string[] = [];
  const lines: string[] = [];
  const major = (v: string) => v.replace(/^v/, '').split('.')[0];
  if (major(node) !== major(baseline.node)) failures.push(`baseline was counted on Node ${baseline.node}, this run on ${node}: counts differ by Node line; re-baseline on this line on purpose`);
  const measured = new Map(rows.map((r) => [rowKey(r), r]));
  const sections = new Set(rows.map((r) => `${r.group} / ${r.setting} / `));
  for (const [key, count] of Object.entries(baseline.rows)) {
    const row = measured.get(key);
    if (!row && ![...sections].some((section) => key.startsWith(section))) continue;
    if (!row) {
      failures.push(`${key}: in the baseline, not measured`);
      continue;
    }
    if (row.role !== 'threadline') continue;
    const growth = row.perOp / count - 1;
    const line = `${key}: ${Math.round(row.perOp)} instructions per op, baseline ${count} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%)`;
    lines.push(line);
    if (row.perOp > count * (1 + MAX_GROWTH)) failures.push(`${line}: more than ${MAX_GROWTH * 100}% over the baseline`);
  }
  for (const row of rows) if (row.role === 'threadline' && !(rowKey(row) in baseline.rows)) lines.push(`${rowKey(row)}: not in the baseline yet (${Math.round(row.perOp)} per op)`);
  return { failures, lines };
}
