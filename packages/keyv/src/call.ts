/**
 * One measured Keyv call: what its end needs (op, series, start, span) and its error slot. The
 * settle handlers are bound once per object, and a call with nothing else in flight on its
 * instance reuses one object (see error-scope.ts): the common path allocates no closure and no
 * state per call.
 */
import type { Span } from '@opentelemetry/api';
import type { OpSeries } from './metrics.js';
import type { OpSpec } from './ops.js';

/** Records a call's end (KeyvTelemetry); never throws. */
export interface CallOwner {
  settle(call: Call, value: unknown, error: unknown, failed: boolean): void;
}

/** Where a call's in-flight count is kept (its instance's ErrorTracker). */
export interface CallTracker {
  end(call: Call): void;
}

export class Call {
  owner: CallOwner | undefined = undefined;
  op: OpSpec | undefined = undefined;
  series: OpSeries | undefined = undefined;
  firstArg: unknown = undefined;
  span: Span | undefined = undefined;
  start = 0;
  /** The store can fail: an error noted while the call runs makes it an error (a Map store cannot). */
  tracked = false;
  failed = false;
  error: unknown = undefined;
  /** False once the call finished: a context captured by a timer must not note into it. */
  live = true;

  /** The promise reactions of this call, bound once: no closure per call. */
  readonly fulfilled = (value: unknown): unknown => {
    this.owner?.settle(this, value, undefined, false);
    return value;
  };

  readonly rejected = (error: unknown): never => {
    this.owner?.settle(this, undefined, error, true);
    throw error;
  };

  constructor(readonly tracker: CallTracker) {}

  note(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
  }

  /** Ready for a new call: what a previous use left behind is cleared. */
  reset(): this {
    this.failed = false;
    this.error = undefined;
    this.live = true;
    this.firstArg = undefined;
    this.span = undefined;
    return this;
  }
}
