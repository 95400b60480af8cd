import { ROOT_CONTEXT, SpanKind, trace, type Context, type Link, type Tracer } from '@opentelemetry/api';
import { errorType, extractContext, parseJsonCarrier, runOperation, TelemetryBoundary, type OperationOptions, type RecordErrorOptions } from '@threadline/core';
import { changeAttributes, qualifiedTable, spanName, transactionAttributes } from './attributes.js';
import { SlotMetrics } from './metrics.js';
import type { AssembledTransaction } from './transaction.js';
import type { CdcChange, CdcErrorKind } from './types.js';

export interface TelemetryOptions {
  readonly slot: string;
  readonly database: string | undefined;
  /** Writer context as a link of a root span instead of the parent. */
  readonly link: boolean;
  readonly tracer: () => Tracer;
  /** false while the instrumentation is disabled: handlers run bare. */
  readonly enabled: () => boolean;
  /** From `recordErrorMessages`: whether a failed handler's span carries the error's message. */
  readonly recordError: RecordErrorOptions;
}

// A transaction can carry several writer contexts (several emits); more than this are not linked.
const MAX_LINKS = 32;

/** Turns delivered transactions into CONSUMER spans and the CDC metrics. Knows OTel, little of pgoutput. */
export class CdcTelemetry {
  readonly metrics: SlotMetrics;
  private readonly boundary = new TelemetryBoundary('@threadline/pg-cdc');

  constructor(private readonly options: TelemetryOptions) {
    this.metrics = new SlotMetrics(options.slot);
  }

  /** Runs `handler` inside the `process {slot}` span of the transaction (change = per-change mode). */
  async run(assembled: AssembledTransaction, change: CdcChange | undefined, handler: () => unknown): Promise<void> {
    if (!this.options.enabled()) {
      await handler();
      return;
    }
    const operation = this.boundary.run(() => this.operationOptions(assembled, change), undefined);
    if (!operation) {
      await handler();
      return;
    }
    await runOperation(this.options.tracer(), operation, handler, (op, error, failed) =>
      this.boundary.run(() => this.metrics.processed(op.elapsedSeconds(), failed ? errorType(error) : undefined, op.span), undefined),
    );
  }

  /** Counts the changes of a transaction as delivered (Debezium TotalNumberOfEventsSeen); commit → received lag. */
  delivered(assembled: AssembledTransaction): void {
    if (!this.options.enabled()) return;
    this.boundary.run(() => {
      this.metrics.receiveLagSeconds((assembled.receivedAt - assembled.transaction.commitTime.getTime()) / 1000);
      for (const change of assembled.transaction.changes) this.metrics.change(qualifiedTable(change), change.op);
    }, undefined);
  }

  /** After the handler resolved: commit time → processed lag. */
  completed(assembled: AssembledTransaction): void {
    if (!this.options.enabled()) return;
    this.boundary.run(() => {
      this.metrics.lagSeconds((Date.now() - assembled.transaction.commitTime.getTime()) / 1000);
      this.metrics.transaction(true);
    }, undefined);
  }

  /** The handler failed: the transaction stays unacknowledged. */
  failed(): void {
    this.boundary.run(() => {
      this.metrics.error('handler');
      this.metrics.transaction(false);
    }, undefined);
  }

  error(kind: CdcErrorKind): void {
    this.boundary.run(() => this.metrics.error(kind), undefined);
  }

  connected(up: boolean): void {
    this.boundary.run(() => this.metrics.connected(up), undefined);
  }

  slotState(lagBytes: number, retainedBytes: number): void {
    this.boundary.run(() => this.metrics.slotState(lagBytes, retainedBytes), undefined);
  }

  private operationOptions(assembled: AssembledTransaction, change: CdcChange | undefined): OperationOptions {
    const writers = writerContexts(assembled.carriers);
    const useParent = !this.options.link && writers.length > 0;
    const parent: Context = useParent ? (writers[0] as Context) : ROOT_CONTEXT;
    const links: Link[] = [];
    for (const writer of useParent ? writers.slice(1) : writers) {
      const spanContext = trace.getSpanContext(writer);
      if (spanContext && links.length < MAX_LINKS) links.push({ context: spanContext });
    }
    const { slot, database } = this.options;
    const attributes = change ? changeAttributes(slot, database, assembled.transaction, change) : transactionAttributes(slot, database, assembled.transaction);
    return { name: spanName(slot), kind: SpanKind.CONSUMER, attributes, parent, links, recordError: this.options.recordError };
  }
}

/** Writer contexts carried by the transaction's trace messages; hostile or empty carriers are skipped. */
function writerContexts(carriers: readonly string[]): Context[] {
  const contexts: Context[] = [];
  for (const text of carriers) {
    const carrier = parseJsonCarrier(text);
    if (!carrier) continue;
    const extracted = extractContext(carrier, ROOT_CONTEXT);
    if (trace.getSpanContext(extracted)) contexts.push(extracted);
  }
  return contexts;
}
