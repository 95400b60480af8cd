import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AlwaysOnSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace';
import { isUnsampledParent } from '@threadline/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTelemetry, type TelemetryOptions } from '../src/index.js';

const UNSAMPLED_PARENT = trace.setSpan(
  ROOT_CONTEXT,
  trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true }),
);

/** Whether plugins skip the span under an unsampled parent while telemetry runs with `sampler`. */
async function skipsUnderUnsampledParent(sampler: TelemetryOptions['sampler']): Promise<boolean> {
  const handle = startTelemetry({ sampler, tracesExporter: 'file', fileDirectory: mkdtempSync(join(tmpdir(), 'tl-sampling-')), metricsExporter: 'none', http: false, env: {} });
  try {
    return isUnsampledParent(UNSAMPLED_PARENT);
  } finally {
    await handle.shutdown();
  }
}

describe('sampler declaration for the plugins', () => {
  it.each(['parentbased_always_on', 'parentbased_traceidratio', 'parentbased_always_off', 'always_off'] as const)(
    '%s never records a child of an unsampled parent: declared',
    async (sampler) => {
      expect(await skipsUnderUnsampledParent(sampler)).toBe(true);
      // Shutdown takes the declaration back with the SDK.
      expect(isUnsampledParent(UNSAMPLED_PARENT)).toBe(false);
    },
  );

  it.each(['always_on', 'traceidratio'] as const)('%s decides per span: not declared', async (sampler) => {
    expect(await skipsUnderUnsampledParent(sampler)).toBe(false);
  });

  it('a Sampler object is opaque (its delegates may record such children): not declared', async () => {
    expect(await skipsUnderUnsampledParent(new ParentBasedSampler({ root: new AlwaysOnSampler(), localParentNotSampled: new AlwaysOnSampler() }))).toBe(false);
  });
});
