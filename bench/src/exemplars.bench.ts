import { trace, TraceFlags } from '@opentelemetry/api';
import { MetricsCollector } from '@threadline/core';
import { compare, formatNs, row } from './harness.js';

const LABELS = { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'orders' };
const SAMPLED = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
const UNSAMPLED = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE });

/** The histogram record path with exemplars on vs off: no span, and a plugin's own span passed unsampled or sampled. */
export default async function exemplarsBench() {
  const bind = (exemplars: boolean) => new MetricsCollector({ exemplars }).histogram({ name: 'bench.duration', unit: 's', labelKeys: Object.keys(LABELS) }).bind(LABELS);
  const on = bind(true);
  const off = bind(false);
  const loop = (series: typeof on, span: typeof SAMPLED | undefined) => (n: number) => {
    for (let i = 0; i < n; i++) series.record(0.0123, span);
  };
  const rows = await compare({
    id: '08-exemplars',
    title: 'Histogram record with exemplars on vs off (3 labels, bound series)',
    baseline: 'exemplars off, no span',
    opsPerRound: 200_000,
    rounds: 21,
    scenarios: [
      { name: 'exemplars off, no span', run: loop(off, undefined) },
      { name: 'exemplars on, no span', run: loop(on, undefined) },
      { name: 'exemplars off, sampled span', run: loop(off, SAMPLED) },
      { name: 'exemplars on, unsampled span', run: loop(on, UNSAMPLED) },
      { name: 'exemplars on, sampled span', run: loop(on, SAMPLED) },
    ],
    notes: (r) => {
      const base = (name: string) => row(r, name).medianNs;
      return [
        `Goal: ≤ 30 ns added per record when a span is sampled, about 0 when none is.`,
        '',
        `- no span: on − off = ${formatNs(base('exemplars on, no span') - base('exemplars off, no span'))}`,
        `- sampled span: on − off = ${formatNs(base('exemplars on, sampled span') - base('exemplars off, sampled span'))}`,
        `- unsampled span: on − off (no span) = ${formatNs(base('exemplars on, unsampled span') - base('exemplars off, no span'))}`,
      ].join('\n');
    },
  });
  return rows;
}
