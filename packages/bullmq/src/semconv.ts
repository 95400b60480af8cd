/**
 * Names @threadline/core's naming table lacks: BullMQ-specific span attributes and events. Shared
 * messaging names (`messaging.*`, `error.type`) come from core's `ATTR`.
 */
export const MESSAGING_SYSTEM = 'bullmq';

export const BULLMQ_ATTR = {
  /** The job's name (BullMQ's job type, e.g. `send-email`); never its data. */
  JOB_NAME: 'threadline.bullmq.job.name',
  /** 1-based attempt number of this process span. */
  JOB_ATTEMPT: 'threadline.bullmq.job.attempt',
  /** How the attempt settled: completed | retry | failed (final). */
  JOB_OUTCOME: 'threadline.bullmq.job.outcome',
  /** Times the job has stalled so far (on the stalled event). */
  JOB_STALLED_COUNT: 'threadline.bullmq.job.stalled_count',
} as const;

export const OUTCOME = { COMPLETED: 'completed', RETRY: 'retry', FAILED: 'failed' } as const;
export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

export const EVENTS = {
  /** On the first attempt after the job stalled (its previous worker lost the lock). */
  STALLED: 'threadline.bullmq.job.stalled',
} as const;

/** messaging.operation.type values (semconv). */
export const OPERATION_TYPE = { SEND: 'send', PROCESS: 'process' } as const;
