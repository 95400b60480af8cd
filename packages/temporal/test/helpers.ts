import { fileURLToPath } from 'node:url';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TelemetryHarness } from '@threadline/testing';
import { temporalIdGenerator } from '../src/index.js';

/** A provider writing into the harness exporter, configured the way users must: with temporalIdGenerator. */
export function providerWithIds(harness: TelemetryHarness, idGenerator = true): TracerProvider {
  return new TracerProvider({
    ...(idGenerator ? { idGenerator: temporalIdGenerator() } : {}),
    spanProcessors: [new SimpleSpanProcessor({ exporter: harness.exporter })],
  });
}

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/workflows.ts', import.meta.url));
export const STEPPED_PATH = fileURLToPath(new URL('./workflows/stepped.ts', import.meta.url));
export const COMPOSED_MODULE = fileURLToPath(new URL('./workflows/composed-interceptors.ts', import.meta.url));
export const PROBE_MODULE = fileURLToPath(new URL('./workflows/probe-interceptors.ts', import.meta.url));

export const PARENT = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
export const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;
