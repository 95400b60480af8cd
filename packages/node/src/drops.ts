import { diag } from '@opentelemetry/api';
import { countDropped } from '@threadline/core';

const reported = new Set<string>();

/**
 * Counts dropped telemetry under `reason` and tells diag about it once per reason per process,
 * so an exporter that stays down costs one warning, not one per span.
 */
export function reportDropped(reason: string, count: number, detail?: unknown): void {
  if (count <= 0) return;
  countDropped(reason, count);
  if (reported.has(reason)) return;
  reported.add(reason);
  const message = `threadline: dropped ${count} item(s) (${reason}); further drops are only counted in threadline.telemetry.dropped`;
  if (detail === undefined) diag.warn(message);
  else diag.warn(message, detail);
}

/** Drop reasons used by this package (values of the `reason` label). */
export const DROP_REASON = {
  SPAN_QUEUE_FULL: 'span_queue_full',
  SPAN_EXPORT_FAILED: 'span_export_failed',
  LOG_QUEUE_FULL: 'log_queue_full',
  LOG_EXPORT_FAILED: 'log_export_failed',
  METRIC_EXPORT_FAILED: 'metric_export_failed',
  FILE_WRITE_FAILED: 'file_write_failed',
  FILE_BUFFER_FULL: 'file_buffer_full',
  SHUTDOWN_TIMEOUT: 'shutdown_timeout',
} as const;
