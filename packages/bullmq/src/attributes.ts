import { ATTR, SPAN_NAMES } from '@threadline/core';
import { MESSAGING_SYSTEM, OPERATION_TYPE } from './semconv.js';
import type { Attributes } from '@opentelemetry/api';

/** The `bullmq.*` attribute keys BullMQ sets on its spans that the plugin translates. */
export const BULLMQ_KEYS = {
  QUEUE_NAME: 'bullmq.queue.name',
  JOB_ID: 'bullmq.job.id',
  JOB_NAME: 'bullmq.job.name',
  JOB_ATTEMPTS_MADE: 'bullmq.job.attempts.made',
  BULK_COUNT: 'bullmq.job.bulk.count',
  BULK_NAMES: 'bullmq.job.bulk.names',
  JOB_FAILED_REASON: 'bullmq.job.failed.reason',
} as const;

/** BullMQ's event on the process span when an attempt fails (carries the error message). */
export const BULLMQ_JOB_FAILED_EVENT = 'job failed';

/** Start attributes of a messaging span (semconv required + recommended ones known at start). */
export function messagingAttributes(operation: string, operationType: string, queue: string | undefined): Attributes {
  const attributes: Attributes = {
    [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
    [ATTR.MESSAGING_OPERATION_NAME]: operation,
    [ATTR.MESSAGING_OPERATION_TYPE]: operationType,
  };
  if (queue !== undefined) attributes[ATTR.MESSAGING_DESTINATION_NAME] = queue;
  return attributes;
}

/** Name and start attributes of a send or process span on one queue. */
export interface SpanShape {
  readonly name: string;
  readonly attributes: Attributes;
}

type ShapedOperation = typeof OPERATION_TYPE.SEND | typeof OPERATION_TYPE.PROCESS;
const shapes: Record<ShapedOperation, Map<string | undefined, SpanShape>> = { send: new Map(), process: new Map() };
const MAX_SHAPES = 1000;

/**
 * Built once per queue instead of per job. Not frozen: the SDK reads start attributes with
 * `Object.entries`, which leaves V8's fast path on a frozen object (+0.2 µs per span). Tracers copy
 * start attributes (the SDK validates them into a new object), so sharing them is safe.
 */
export function spanShape(operation: ShapedOperation, queue: string | undefined): SpanShape {
  const byQueue = shapes[operation];
  let shape = byQueue.get(queue);
  if (shape === undefined) {
    shape = { name: SPAN_NAMES.messaging(operation, queue), attributes: messagingAttributes(operation, operation, queue) };
    if (byQueue.size < MAX_SHAPES) byQueue.set(queue, shape);
  }
  return shape;
}

/** A BullMQ attribute value as a string id (job ids may arrive as numbers in old versions). */
export function asId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 && value.length <= 256 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function asName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // Names are short: no substring call for them (this runs for several attributes per job).
  return value.length <= 256 ? value : value.slice(0, 256);
}
