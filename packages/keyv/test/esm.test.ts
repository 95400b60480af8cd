import { fileURLToPath } from 'node:url';
import { runApp } from '@threadline/testing';
import { describe, expect, it } from 'vitest';

interface AppSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
}

describe('ESM and CommonJS apps (dist build, imported by package name)', () => {
  it('instruments Keyv through the explicit wrapper and through module patching', async () => {
    const app = await runApp(fileURLToPath(new URL('./fixtures/esm-app.mjs', import.meta.url)));
    expect(app.code, app.stderr).toBe(0);
    const { results, spans, counts } = app.result as { results: unknown[]; spans: AppSpan[]; counts: Record<string, number> };
    expect(results).toEqual([1, null, null]);
    expect(counts).toEqual({ patchedHit: 1, patchedMiss: 1, explicitMiss: 1 });
    const request = spans.find((s) => s.name === 'request')!;
    const patchedGets = spans.filter((s) => s.name === 'get patched');
    expect(patchedGets).toHaveLength(2);
    for (const span of patchedGets) {
      expect(span.parentSpanId).toBe(request.spanId);
      expect(span.traceId).toBe(request.traceId);
      expect(span.kind).toBe(2);
    }
    const explicit = spans.find((s) => s.name === 'get explicit')!;
    expect(explicit.parentSpanId).toBeNull();
  });

  it('patches keyv in a CommonJS app through require hooks', async () => {
    const app = await runApp(fileURLToPath(new URL('./fixtures/cjs-app.cjs', import.meta.url)));
    expect(app.code, app.stderr).toBe(0);
    const { results, spans, counts } = app.result as { results: unknown[]; spans: Array<AppSpan & { batch: number | null }>; counts: Record<string, number> };
    expect(results).toEqual([1, null]);
    expect(counts).toEqual({ hit: 1, miss: 1 });
    const request = spans.find((s) => s.name === 'request')!;
    const getMany = spans.find((s) => s.name === 'getMany cjs')!;
    expect(getMany.parentSpanId).toBe(request.spanId);
    expect(getMany.batch).toBe(2);
  });
});
