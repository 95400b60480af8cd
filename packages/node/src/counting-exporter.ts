import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { reportDropped } from './drops.js';
import { warnExportFailure, type ExporterTarget } from './export-warnings.js';

/** The shape span and log record exporters share. */
export interface BatchExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/**
 * Failed exports become counted drops (diag once, one default-level warning per failure kind) and
 * a success for the batch processor, so an exporter that stays down neither logs per batch nor
 * makes the app's `shutdown()` reject.
 */
export class CountingExporter<T> implements BatchExporter<T> {
  /** Items handed to the inner exporter whose export has not finished. */
  inFlight = 0;
  /** Set when shutdown gave up: those items are already counted, a late result must not count them again. */
  abandoned = false;

  constructor(
    private readonly inner: BatchExporter<T>,
    private readonly target: ExporterTarget,
    private readonly failedReason: string,
    private readonly onHandedOff: (count: number) => void,
  ) {}

  export(items: T[], resultCallback: (result: ExportResult) => void): void {
    this.onHandedOff(items.length);
    this.inFlight += items.length;
    let finished = false;
    const done = (result: ExportResult) => {
      if (finished) return;
      finished = true;
      this.inFlight -= items.length;
      if (result.code !== ExportResultCode.SUCCESS && !this.abandoned) {
        reportDropped(this.failedReason, items.length, result.error);
        warnExportFailure(this.target, result.error);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.inner.export(items, done);
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * The queue bound a batch processor enforces here (where a refused item is counted; the SDK drops
 * silently), and what is still undelivered when shutdown gives up. Shared by spans and log records.
 */
export class BoundedDelivery<T> {
  readonly exporter: CountingExporter<T>;
  private queued = 0;
  private stopped = false;

  constructor(
    inner: BatchExporter<T>,
    readonly target: ExporterTarget,
    private readonly maxQueueSize: number,
    private readonly reasons: { readonly queueFull: string; readonly exportFailed: string },
  ) {
    this.exporter = new CountingExporter(inner, target, reasons.exportFailed, (count) => (this.queued = Math.max(0, this.queued - count)));
  }

  /** True when one more item may go to the batch processor; a full queue counts it as dropped. */
  admit(): boolean {
    if (this.stopped) return false;
    if (this.queued >= this.maxQueueSize) {
      reportDropped(this.reasons.queueFull, 1);
      return false;
    }
    this.queued++;
    return true;
  }

  /** Gives up on what is not delivered yet (queued, or in an unfinished export) and returns how much; late results no longer count. */
  abandon(): number {
    this.exporter.abandoned = true;
    return this.queued + this.exporter.inFlight;
  }

  stop(): void {
    this.stopped = true;
  }
}
