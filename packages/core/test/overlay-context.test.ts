import { createContextKey, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { overlayContext } from '../src/index.js';

const OTHER = createContextKey('test.other');
const LAYERED = createContextKey('test.layered');
const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

describe('overlayContext (one key set without copying the map)', () => {
  it('reads, sets and deletes keys as the API context with that key set would', () => {
    const inner = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    const process = { attempt: 1 };
    const body = overlayContext(inner, LAYERED, process);
    const copied = inner.setValue(LAYERED, process);
    for (const ctx of [body, copied]) {
      expect(ctx.getValue(LAYERED)).toBe(process);
      expect(trace.getSpanContext(ctx)).toBe(spanContext);
      const child = ctx.setValue(OTHER, 'x');
      expect(child.getValue(OTHER)).toBe('x');
      expect(child.getValue(LAYERED)).toBe(process);
      expect(ctx.getValue(OTHER)).toBeUndefined();
      expect(trace.getSpanContext(trace.deleteSpan(child))).toBeUndefined();
      expect(trace.deleteSpan(child).getValue(LAYERED)).toBe(process);
      expect(child.deleteValue(LAYERED).getValue(LAYERED)).toBeUndefined();
      expect(child.deleteValue(LAYERED).getValue(OTHER)).toBe('x');
      const replaced = ctx.setValue(LAYERED, 'next');
      expect(replaced.getValue(LAYERED)).toBe('next');
      expect(trace.getSpanContext(replaced)).toBe(spanContext);
    }
  });
});

describe('overlayContext over a context that already holds the key', () => {
  it('shadows the inner value, and deleting the key removes both', () => {
    const inner = ROOT_CONTEXT.setValue(LAYERED, 'outer');
    const layered = overlayContext(inner, LAYERED, 'inner');
    expect(layered.getValue(LAYERED)).toBe('inner');
    expect(layered.deleteValue(LAYERED).getValue(LAYERED)).toBeUndefined();
  });
});
