import { ROOT_CONTEXT, SpanKind, trace, type Context, type Link, type Tracer } from '@opentelemetry/api';
import { errorType, extractContext, parseJsonCarrier, runOperation, TelemetryBoundary, type Operation, type OperationOptions, type RecordErrorOptions } from '@threadline/core';
import { changeAttributes, chunkAttributes, chunkSpanName, qualifiedTable, spanName, streamedTotals, streamedTransactionAttributes, transactionAttributes } from './attributes.js';
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

/** What a transaction delivered in chunks added up to. */
export interface StreamedTotals {
  readonly tables: ReadonlySet<string>;
  readonly operations: ReadonlySet<string>;
  readonly changes: number;
  readonly chunks: number;
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

  /**
   * The `process {slot}` span of a transaction delivered in chunks, around all of its chunks: the
   * chunks run as its children (`parent` for `runChunk`); its totals are set when `body` resolves.
   */
  async runTransaction(assembled: AssembledTransaction, body: (parent: Context | undefined) => Promise<StreamedTotals>): Promise<void> {
    const operation = this.options.enabled() ? this.boundary.run(() => ({ ...this.operationOptions(assembled, undefined), attributes: streamedTransactionAttributes(this.options.slot, this.options.database, assembled.transaction) }), undefined) : undefined;
    if (!operation) {
      await body(undefined);
      return;
    }
    await runOperation(
      this.options.tracer(),
      operation,
      async (op: Operation) => {
        const totals = await body(op.context);
        this.boundary.run(() => op.span?.setAttributes(streamedTotals(totals.tables, totals.operations, totals.changes, totals.chunks)), undefined);
      },
      (op, error, failed) => this.boundary.run(() => this.metrics.processed(op.elapsedSeconds(), failed ? errorType(error) : undefined, op.span), undefined),
    );
  }

  /** One chunk's handler run, an INTERNAL child of its transaction's span. */
  async runChunk(assembled: AssembledTransaction, index: number, parent: Context | undefined, handler: () => unknown): Promise<void> {
    if (!parent || !this.options.enabled()) {
      await handler();
      return;
    }
    const operation = this.boundary.run(
      (): OperationOptions => ({ name: chunkSpanName(this.options.slot), kind: SpanKind.INTERNAL, attributes: chunkAttributes(this.options.slot, assembled.transaction, index), parent, recordError: this.options.recordError }),
      undefined,
    );
    if (!operation) {
      await handler();
      return;
    }
    await runOperation(this.options.tracer(), operation, handler);
  }

  /** Transaction bytes held in memory (queue, spools, chunk in delivery). */
  bufferedBytes(bytes: number): void {
    if (!this.options.enabled()) return;
    this.boundary.run(() => this.metrics.bufferedBytes(bytes), undefined);
  }

  /** Counts the changes of a transaction as delivered (Debezium TotalNumberOfEventsSeen); commit → received lag. */
  delivered(assembled: AssembledTransaction, receiveLag = true): void {
    if (!this.options.enabled()) return;
    this.boundary.run(() => {
      if (receiveLag) this.metrics.receiveLagSeconds((assembled.receivedAt - assembled.transaction.commitTime.getTime()) / 1000);
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
