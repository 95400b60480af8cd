import { trace } from '@opentelemetry/api';
import { findPoint } from '@threadline/core';
import { expect } from 'vitest';
import { startTelemetry } from '../../src/index.js';
import { captureDiag } from './diag.js';

const SPANS = 3000;
const MAX_QUEUE = 200;

/** The app's own function: its result must be the same with the exporter down. */
function work(i: number): number {
  return trace.getTracer('app').startActiveSpan(`work ${i % 10}`, (span) => {
    span.setAttribute('i', i);
    span.end();
    return i * 2;
  });
}

/**
 * Runs an app against an OTLP endpoint that is down and checks the contract: every app call
 * returns its value, the span queue stays bounded (spans past it are counted, not kept), and the
 * drops reach diag once, not once per span or batch.
 */
export async function expectAppUnaffected(endpoint: string): Promise<{ queueFull: number; exportFailed: number }> {
  const log = captureDiag();
  const handle = startTelemetry({
    serviceName: 'exporter-down',
    tracesExporter: 'otlp',
    metricsExporter: 'none',
    otlpProtocol: 'http/json',
    otlpEndpoint: endpoint,
    otlpTimeoutMillis: 300,
    maxQueueSize: MAX_QUEUE,
    scheduledDelayMillis: 20,
    http: false,
    env: {},
  });
  try {
    let sum = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < SPANS / 3; i++) sum += work(i);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sum).toBe(3 * (SPANS / 3) * (SPANS / 3 - 1));
    await expect(handle.shutdown()).resolves.toEqual({ timedOut: false, unsentSpans: 0 });
    const count = (reason: string) => (findPoint(handle.collector, 'threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': reason })?.value as number | undefined) ?? 0;
    const queueFull = count('span_queue_full');
    const exportFailed = count('span_export_failed');
    // Every span is accounted for: refused at the bounded queue, or lost with a failed export.
    expect(queueFull + exportFailed).toBe(SPANS);
    expect(queueFull).toBeGreaterThan(0);
    const dropWarnings = log.messages.filter((m) => m.includes('threadline: dropped'));
    expect(dropWarnings.length).toBeGreaterThanOrEqual(1);
    expect(dropWarnings.length).toBeLessThanOrEqual(2); // one per reason
    expect(log.messages.length).toBeLessThanOrEqual(4);
    return { queueFull, exportFailed };
  } finally {
    log.restore();
  }
}
