import type { CountedRow } from './measure.js';
import { SETTINGS, type Setting } from './settings.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

/** The row's count minus the baseline row above it in its group (the app without this instrumentation). */
export function added(rows: readonly CountedRow[], row: CountedRow): number {
  const same = rows.filter((r) => r.group === row.group && r.setting === row.setting);
  const baseline = same.slice(0, same.indexOf(row) + 1).reverse().find((r) => r.role === 'baseline');
  return row.perOp - (baseline?.perOp ?? 0);
}

function find(rows: readonly CountedRow[], group: string, setting: Setting, name: string | undefined): CountedRow | undefined {
  return name === undefined ? undefined : rows.find((r) => r.group === group && r.setting === setting && r.name === name);
}

/**
 * The production-settings goal: at ratio 0.1 an op adds no more than metrics-only plus 0.15 of what
 * recording every span adds on top of metrics-only.
 */
export function samplingGoal(rows: readonly CountedRow[], group: string, name: string): string | undefined {
  const at = (setting: Setting) => find(rows, group, setting, name);
  const sampled = at('sampled');
  const ratioRow = at('ratio-0.1');
  const metrics = at('metrics-only');
  if (!sampled || !ratioRow || !metrics) return undefined;
  // A row that records no span even with every span sampled has nothing a sampler could save.
  if (sampled.spans === 0) return 'at ratio 0.1: not applicable (the row records no span in any setting; its columns differ by noise)';
  const [s, r, m] = [added(rows, sampled), added(rows, ratioRow), added(rows, metrics)];
  const limit = m + 0.15 * (s - m);
  return `at ratio 0.1 +${fmt(r)} per op; goal ≤ metrics-only +${fmt(m)} + 0.15 × (all-sampled +${fmt(s)} − metrics-only) = ${fmt(limit)}: ${r <= limit ? 'met' : 'NOT met'} (the unsampled share costs ${fmt(r - m)} above metrics-only, ${((100 * (r - m)) / Math.max(1, s - m)).toFixed(0)}% of the sampled extra)`;
}

/** One markdown section per group: instructions per op under each setting, then threadline's ratios. */
export function toMarkdown(rows: readonly CountedRow[], node: string, titles: Record<string, string>): string {
  const out = [
    `## Instruction counts per operation (callgrind, Node ${node})`,
    '',
    'Instructions per operation on the main thread in steady state (`npm run perf:icount`): every row runs four times',
    'uncounted (all rows in turn), then counted between callgrind cut points twice in a row in each of two passes over',
    'all rows, the least of the four counts kept; no I/O,',
    'V8 in predictable mode. "added" is a row minus the baseline row above it. `sampled`: every span recorded;',
    '`ratio-0.1`: ParentBased(TraceIdRatio 0.1), one request in ten sampled; `metrics-only`: no tracer provider.',
    '',
  ];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const inGroup = rows.filter((r) => r.group === group);
    const settings = SETTINGS.filter((s) => inGroup.some((r) => r.setting === s));
    const names = [...new Set(inGroup.map((r) => r.name))];
    out.push(`### ${titles[group] ?? group}`, '', `| scenario | role | ${settings.join(' | ')} |`, `|---|---|${settings.map(() => '---:|').join('')}`);
    for (const name of names) {
      const cells = settings.map((s) => {
        const r = find(rows, group, s, name)!;
        return r.role === 'baseline' ? fmt(r.perOp) : `${fmt(r.perOp)} (+${fmt(added(rows, r))})`;
      });
      out.push(`| ${name} | ${inGroup.find((r) => r.name === name)!.role} | ${cells.join(' | ')} |`);
    }
    out.push('');
    const unsteady = inGroup.filter((r) => (r.spread ?? 0) > 0.02);
    const worst = Math.max(...inGroup.map((r) => r.spread ?? 0));
    out.push(
      unsteady.length === 0
        ? `- steady state: every row's two least counted runs within ${(worst * 100).toFixed(2)}% of each other`
        : `- not steady (two least counted runs more than 2% apart; the least is kept): ${unsteady.map((r) => `${r.setting} / ${r.name} ${(r.spread * 100).toFixed(1)}%`).join('; ')}`,
    );
    for (const name of names.filter((n) => inGroup.find((r) => r.name === n)!.role === 'threadline')) {
      const parts = settings.map((s) => {
        const ours = find(rows, group, s, name)!;
        const floor = find(rows, group, s, ours.floor);
        const anchor = find(rows, group, s, ours.anchor);
        const vs = [floor ? `${ratio(added(rows, ours), added(rows, floor))} the floor's added` : '', anchor ? `${ratio(added(rows, ours), added(rows, anchor))} the anchor's added` : '']
          .filter(Boolean)
          .join(', ');
        return `${s}: ${vs || 'no floor or anchor row'}`;
      });
      out.push(`- ${name}: ${parts.join('; ')}`);
      const goal = samplingGoal(rows, group, name);
      if (goal) out.push(`  - ${goal}`);
      const floorName = inGroup.find((r) => r.name === name)!.floor;
      const floorGoal = floorName === undefined ? undefined : samplingGoal(rows, group, floorName);
      if (floorGoal) out.push(`  - the floor alone (the SDK calls only): ${floorGoal}`);
    }
    out.push('');
  }
  return out.join('\n');
}
