import type { Span } from '@opentelemetry/api';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './semconv.js';
import { ATTR, defineMetrics, METRICS, RESULT } from '@threadline/core';
import { CDC_BUFFERED_BYTES, CDC_TRANSACTIONS, MESSAGING_SYSTEM_POSTGRES_CDC } from './semconv.js';
import type { CdcErrorKind } from './types.js';

const SLOT = ATTR.CDC_SLOT;
const PROCESS_LABELS = [ATTR.MESSAGING_SYSTEM, ATTR.MESSAGING_OPERATION_NAME, ATTR.MESSAGING_DESTINATION_NAME, ATTR.ERROR_TYPE] as const;

/** The plugin's instruments, declared once per collector. */
export const cdcMetrics = defineMetrics((collector) => ({
  changes: collector.counter({ ...METRICS.CDC_CHANGES, labelKeys: [SLOT, ATTR.CDC_TABLE, ATTR.CDC_OPERATION] }),
  errors: collector.counter({ ...METRICS.CDC_ERRORS, labelKeys: [SLOT, ATTR.ERROR_TYPE] }),
  duration: collector.histogram({ ...METRICS.MESSAGING_PROCESS_DURATION, labelKeys: PROCESS_LABELS, optionalLabelKeys: [ATTR.ERROR_TYPE] }),
  lag: collector.gauge({ ...METRICS.CDC_LAG, labelKeys: [SLOT] }),
  receiveLag: collector.gauge({ ...METRICS.CDC_RECEIVE_LAG, labelKeys: [SLOT] }),
  lagBytes: collector.gauge({ ...METRICS.CDC_LAG_BYTES, labelKeys: [SLOT] }),
  retainedWal: collector.gauge({ ...METRICS.CDC_RETAINED_WAL, labelKeys: [SLOT] }),
  connected: collector.gauge({ ...METRICS.CDC_CONNECTED, labelKeys: [SLOT] }),
  eventsSeen: collector.counter({ ...METRICS.CDC_EVENTS_SEEN, labelKeys: [SLOT] }),
  transactions: collector.counter({ ...CDC_TRANSACTIONS, labelKeys: [SLOT, ATTR.RESULT] }),
  bufferedBytes: collector.gauge({ ...CDC_BUFFERED_BYTES, labelKeys: [SLOT] }),
}), { name: INSTRUMENTATION_NAME, version: INSTRUMENTATION_VERSION });

/**
 * One slot's bound series. Re-bound when the process collector changes (tests, late startTelemetry);
 * otherwise every record is a cached-series call.
 */
export class SlotMetrics {
  private bound: ReturnType<typeof bindSlot> | undefined;
  private boundFor: ReturnType<typeof cdcMetrics> | undefined;
  private readonly changeSeries = new Map<string, ReturnType<ReturnType<typeof cdcMetrics>['changes']['bind']>>();

  constructor(private readonly slot: string) {}

  private series(): ReturnType<typeof bindSlot> {
    const metrics = cdcMetrics();
    if (metrics !== this.boundFor || !this.bound) {
      this.bound = bindSlot(metrics, this.slot);
      this.boundFor = metrics;
      this.changeSeries.clear();
    }
    return this.bound;
  }

  change(table: string, op: string): void {
    const bound = this.series();
    const key = `${op}\u0000${table}`;
    let series = this.changeSeries.get(key);
    if (!series) {
      series = bound.metrics.changes.bind({ [SLOT]: this.slot, [ATTR.CDC_TABLE]: table, [ATTR.CDC_OPERATION]: op });
      this.changeSeries.set(key, series);
    }
    series.add(1);
    bound.eventsSeen.add(1);
  }

  error(kind: CdcErrorKind): void {
    this.series().metrics.errors.bind({ [SLOT]: this.slot, [ATTR.ERROR_TYPE]: kind }).add(1);
  }

  /** One handler run (a transaction, or a change in per-change mode). */
  processed(seconds: number, errorType: string | undefined, span: Span | undefined): void {
    const s = this.series();
    if (errorType) s.metrics.duration.bind({ ...processLabels(this.slot), [ATTR.ERROR_TYPE]: errorType }).record(seconds, span);
    else s.duration.record(seconds, span);
  }

  transaction(ok: boolean): void {
    const s = this.series();
    (ok ? s.ok : s.failed).add(1);
  }

  lagSeconds(seconds: number): void {
    this.series().lag.set(Math.max(0, seconds));
  }

  receiveLagSeconds(seconds: number): void {
    this.series().receiveLag.set(Math.max(0, seconds));
  }

  slotState(lagBytes: number, retainedBytes: number): void {
    const s = this.series();
    s.lagBytes.set(lagBytes);
    s.retainedWal.set(retainedBytes);
  }

  bufferedBytes(bytes: number): void {
    this.series().bufferedBytes.set(bytes);
  }

  connected(up: boolean): void {
    this.series().connected.set(up ? 1 : 0);
  }
}

/** `messaging.process.duration` labels: the slot is the destination the consumer processes. */
function processLabels(slot: string) {
  return { [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_POSTGRES_CDC, [ATTR.MESSAGING_OPERATION_NAME]: 'process', [ATTR.MESSAGING_DESTINATION_NAME]: slot };
}

function bindSlot(metrics: ReturnType<typeof cdcMetrics>, slot: string) {
  const labels = { [SLOT]: slot };
  return {
    metrics,
    duration: metrics.duration.bind(processLabels(slot)),
    lag: metrics.lag.bind(labels),
    receiveLag: metrics.receiveLag.bind(labels),
    lagBytes: metrics.lagBytes.bind(labels),
    retainedWal: metrics.retainedWal.bind(labels),
    connected: metrics.connected.bind(labels),
    eventsSeen: metrics.eventsSeen.bind(labels),
    bufferedBytes: metrics.bufferedBytes.bind(labels),
    ok: metrics.transactions.bind({ [SLOT]: slot, [ATTR.RESULT]: RESULT.OK }),
    failed: metrics.transactions.bind({ [SLOT]: slot, [ATTR.RESULT]: RESULT.ERROR }),
  };
}
