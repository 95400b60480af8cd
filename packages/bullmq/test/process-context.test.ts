import { createContextKey, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ProcessContext } from '../src/process-context.js';
import { PROCESS_KEY } from '../src/span-base.js';

const OTHER = createContextKey('test.other');
const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

describe('ProcessContext (an attempt body context without a map copy)', () => {
  it('reads, sets and deletes keys as the API context with PROCESS_KEY set would', () => {
    const inner = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    const process = { attempt: 1 };
    const body = new ProcessContext(inner, process);
    const copied = inner.setValue(PROCESS_KEY, process);
    for (const ctx of [body, copied]) {
      expect(ctx.getValue(PROCESS_KEY)).toBe(process);
      expect(trace.getSpanContext(ctx)).toBe(spanContext);
      const child = ctx.setValue(OTHER, 'x');
      expect(child.getValue(OTHER)).toBe('x');
      expect(child.getValue(PROCESS_KEY)).toBe(process);
      expect(ctx.getValue(OTHER)).toBeUndefined();
      expect(trace.getSpanContext(trace.deleteSpan(child))).toBeUndefined();
      expect(trace.deleteSpan(child).getValue(PROCESS_KEY)).toBe(process);
      expect(child.deleteValue(PROCESS_KEY).getValue(PROCESS_KEY)).toBeUndefined();
      expect(child.deleteValue(PROCESS_KEY).getValue(OTHER)).toBe('x');
      const replaced = ctx.setValue(PROCESS_KEY, 'next');
      expect(replaced.getValue(PROCESS_KEY)).toBe('next');
      expect(trace.getSpanContext(replaced)).toBe(spanContext);
    }
  });
});
