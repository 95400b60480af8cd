import type { Span } from '@opentelemetry/api';
import { ATTR, RESULT } from '@threadline/core';
import type { OpSeries } from './metrics.js';
import { keyCount, type OpSpec } from './ops.js';
import { KV_ATTR } from './semconv.js';

/** Counts a successful call's results; returns how many writes reported `false` (not stored). */
export function countResults(op: OpSpec, series: OpSeries, firstArg: unknown, value: unknown, span: Span | undefined): number {
  switch (op.shape) {
    case 'value':
    case 'presence': {
      const hit = op.shape === 'value' ? value !== undefined : value === true;
      (hit ? series.hit : series.miss).add(1);
      span?.setAttribute(ATTR.RESULT, hit ? RESULT.HIT : RESULT.MISS);
      return 0;
    }
    case 'values':
    case 'presences': {
      const rows = Array.isArray(value) ? value : [];
      let hits = 0;
      for (let i = 0; i < rows.length; i++) if (op.shape === 'values' ? rows[i] !== undefined : rows[i] === true) hits++;
      series.hit.add(hits);
      series.miss.add(rows.length - hits);
      span?.setAttribute(KV_ATTR.HIT_COUNT, hits);
      span?.setAttribute(KV_ATTR.MISS_COUNT, rows.length - hits);
      return 0;
    }
    case 'written':
      (value === false ? series.error : series.ok).add(1);
      return value === false ? 1 : 0;
    case 'writtens': {
      const rows = Array.isArray(value) ? value : [];
      let notStored = 0;
      for (let i = 0; i < rows.length; i++) if (rows[i] === false) notStored++;
      series.ok.add(rows.length - notStored);
      series.error.add(notStored);
      return notStored;
    }
    case 'done':
      series.ok.add(keyCount(op, firstArg));
      return 0;
  }
}
