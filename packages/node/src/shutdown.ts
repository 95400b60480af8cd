import { DROP_REASON, reportDropped } from './drops.js';
import { warnOnce } from './warnings.js';
import type { BoundedBatchSpanProcessor } from './traces.js';
import type { ShutdownReport } from './types.js';

/**
 * Runs the SDK's shutdown, but resolves by `deadlineMillis` whatever the exporters do (an OTLP
 * exporter retries a refused endpoint until its own timeout). What was still unsent then is
 * counted as dropped, named in one warning, and returned.
 */
export async function shutdownWithin(
  shutdown: () => Promise<void>,
  deadlineMillis: number,
  processors: readonly BoundedBatchSpanProcessor[],
): Promise<ShutdownReport> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), deadlineMillis);
    timer.unref();
  });
  const finished = shutdown().then(
    () => 'finished' as const,
    () => 'finished' as const,
  );
  const outcome = await Promise.race([finished, expired]);
  clearTimeout(timer);
  if (outcome === 'finished') return { timedOut: false, unsentSpans: 0 };

  const unsent = processors.map((p) => ({ exporter: p.target.exporter, count: p.abandon() })).filter((u) => u.count > 0);
  const unsentSpans = unsent.reduce((sum, u) => sum + u.count, 0);
  reportDropped(DROP_REASON.SHUTDOWN_TIMEOUT, unsentSpans);
  const what = unsent.length > 0 ? unsent.map((u) => `${u.count} span(s) for the ${u.exporter} exporter`).join(', ') : 'pending metric exports';
  warnOnce(
    'shutdown-timeout',
    'THREADLINE_SHUTDOWN_TIMEOUT',
    `threadline: shutdown() stopped waiting after ${deadlineMillis} ms; not sent: ${what}. Check the exporter, or raise THREADLINE_SHUTDOWN_TIMEOUT_MS (option shutdownTimeoutMillis).`,
  );
  return { timedOut: true, unsentSpans };
}
