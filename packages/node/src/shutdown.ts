import { DROP_REASON, reportDropped } from './drops.js';
import { warnOnce } from './warnings.js';
import type { ExporterTarget } from './export-warnings.js';
import type { ShutdownReport } from './types.js';

/** A span or log record processor that can say how much it has not delivered yet. */
export interface QueueingProcessor {
  readonly target: ExporterTarget;
  /** Gives up on what is not delivered yet and says how much that is; late results no longer count. */
  abandon(): number;
}

const UNIT = { traces: 'span(s)', logs: 'log record(s)', metrics: 'metric export(s)' } as const;

/**
 * Runs the SDK's shutdown, but resolves by `deadlineMillis` whatever the exporters do (an OTLP
 * exporter retries a refused endpoint until its own timeout). What was still unsent then is
 * counted as dropped, named in one warning, and returned.
 */
export async function shutdownWithin(
  shutdown: () => Promise<void>,
  deadlineMillis: number,
  processors: readonly QueueingProcessor[],
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

  const unsent = processors.map((p) => ({ target: p.target, count: p.abandon() })).filter((u) => u.count > 0);
  const unsentSpans = unsent.reduce((sum, u) => sum + (u.target.signal === 'traces' ? u.count : 0), 0);
  reportDropped(DROP_REASON.SHUTDOWN_TIMEOUT, unsent.reduce((sum, u) => sum + u.count, 0));
  const what =
    unsent.length > 0 ? unsent.map((u) => `${u.count} ${UNIT[u.target.signal]} for the ${u.target.exporter} exporter`).join(', ') : 'pending metric exports';
  warnOnce(
    'shutdown-timeout',
    'THREADLINE_SHUTDOWN_TIMEOUT',
    `threadline: shutdown() stopped waiting after ${deadlineMillis} ms; not sent: ${what}. Check the exporter, or raise THREADLINE_SHUTDOWN_TIMEOUT_MS (option shutdownTimeoutMillis).`,
  );
  return { timedOut: true, unsentSpans };
}
