import { ATTR, METRICS } from '../../names.js';
import { CONVENTION, conditional, EXCEPTION_EVENT, optIn, recommended, required } from '../conventions.js';
import type { AttributeUse, PackageNames } from '../types.js';

const JOB_NAME = 'threadline.bullmq.job.name';
const jobNameLabel = optIn(JOB_NAME, '`jobNameLabel: true`');
const base: AttributeUse[] = [
  required(ATTR.MESSAGING_SYSTEM),
  required(ATTR.MESSAGING_OPERATION_NAME),
  conditional(ATTR.MESSAGING_DESTINATION_NAME, 'the queue'),
];
const failed = conditional(ATTR.ERROR_TYPE, 'if the operation failed');

export const BULLMQ_NAMES: PackageNames = {
  package: '@threadline/bullmq',
  scopes: ['@threadline/bullmq'],
  spans: [
    { pattern: 'send {messaging.destination.name}', kind: 'PRODUCER', description: '`Queue.add`, `addBulk` (with `messaging.batch.message_count`), `FlowProducer.add`', attributes: [...CONVENTION.messagingSpan, recommended(JOB_NAME)] },
    {
      pattern: 'process {messaging.destination.name}',
      kind: 'CONSUMER',
      description: 'One processing attempt of a job; child of (or linked to) the send span',
      attributes: [...CONVENTION.messagingSpan, recommended(JOB_NAME), recommended('threadline.bullmq.job.attempt'), recommended('threadline.bullmq.job.outcome')],
    },
    { pattern: '{bullmq operation} {queue}', kind: 'INTERNAL', description: "`addFlow`, and BullMQ's own internal spans with `internalSpans: true` (not messaging operations: no messaging attributes)", attributes: [] },
  ],
  metrics: [
    { ...METRICS.MESSAGING_CLIENT_SENT_MESSAGES, attributes: [...base, failed, jobNameLabel] },
    { ...METRICS.MESSAGING_CLIENT_OPERATION_DURATION, attributes: [...base, conditional(ATTR.MESSAGING_OPERATION_TYPE, '`send`'), failed, jobNameLabel] },
    { ...METRICS.MESSAGING_CLIENT_CONSUMED_MESSAGES, attributes: [...base, jobNameLabel] },
    { ...METRICS.MESSAGING_PROCESS_DURATION, attributes: [...base, failed, jobNameLabel] },
    { ...METRICS.MESSAGING_SETTLED_MESSAGES, attributes: [...base, required(ATTR.RESULT), failed, jobNameLabel] },
    { ...METRICS.MESSAGING_PROCESS_IN_FLIGHT, attributes: [...base, jobNameLabel] },
    { ...METRICS.MESSAGING_QUEUE_WAIT, attributes: [...base, jobNameLabel] },
    { ...METRICS.BULLMQ_QUEUE_JOBS, attributes: [required(ATTR.MESSAGING_SYSTEM), required(ATTR.MESSAGING_DESTINATION_NAME), required('threadline.bullmq.job.state')] },
    { ...METRICS.BULLMQ_QUEUE_OLDEST_WAITING_AGE, attributes: [required(ATTR.MESSAGING_SYSTEM), required(ATTR.MESSAGING_DESTINATION_NAME)] },
  ],
  events: [
    EXCEPTION_EVENT,
    { name: 'threadline.bullmq.job.stalled', description: 'On the first attempt after the job stalled', attributes: [required('threadline.bullmq.job.stalled_count')] },
  ],
  customValues: { [ATTR.MESSAGING_SYSTEM]: ['bullmq'], 'threadline.bullmq.job.state': ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] },
  deviations: [
    '`messaging.system.name` is `bullmq`: semconv lists no value for BullMQ (the attribute is an open enum).',
    '`server.address` / `server.port` are not set: BullMQ\'s telemetry interface does not expose the Redis connection.',
    'Queue depth (`threadline.bullmq.queue.*`) is threadline-owned: semconv has no backlog metric yet (its `messaging.consumer.lag` proposal is open).',
    'The `process` span is a child of the producer span by default (semconv allows this for single messages); `consumerContext: \'link\'` gives the semconv default.',
  ],
};
