import { ATTR, METRICS } from '../../names.js';
import { CONVENTION, conditional, EXCEPTION_EVENT, recommended, required } from '../conventions.js';
import type { PackageNames } from '../types.js';

const SLOT = required(ATTR.CDC_SLOT);
const CDC = ['tables', 'operations', 'change_count', 'lsn', 'commit_end_lsn', 'commit_time', 'xid'].map((name) => recommended(`threadline.cdc.${name}`));

/** Declared here, not in core's METRICS (only pg-cdc emits it; its semconv.ts spells the same entry, the conformance check holds them together). */
const CDC_BUFFERED_BYTES = {
  name: 'threadline.cdc.buffered_bytes',
  unit: 'By',
  instrument: 'gauge',
  description: 'Bytes of transaction data the CDC consumer holds in memory (queued messages, unspilled spool, the chunk in delivery); bounded by maxBufferedBytes',
} as const;

export const PG_CDC_NAMES: PackageNames = {
  package: '@threadline/pg-cdc',
  scopes: ['@threadline/pg-cdc'],
  spans: [
    {
      pattern: 'process {messaging.destination.name}',
      kind: 'CONSUMER',
      description: 'One handler run for a transaction (or a change, in per-change mode); the slot is the destination',
      attributes: [
        ...CONVENTION.messagingSpan,
        required(ATTR.DB_SYSTEM_NAME),
        recommended(ATTR.DB_NAMESPACE),
        SLOT,
        ...CDC,
        recommended(ATTR.CDC_TABLE, 'per-change mode'),
        recommended(ATTR.CDC_OPERATION, 'per-change mode'),
        conditional('threadline.cdc.attempt', 'on redelivery'),
        conditional('threadline.cdc.chunk_count', 'a transaction larger than maxBufferedBytes, delivered in chunks'),
      ],
    },
    {
      pattern: 'process {messaging.destination.name} chunk',
      kind: 'INTERNAL',
      description: 'One handler run for one chunk of a transaction larger than `maxBufferedBytes`; a child of that transaction\'s `process` span',
      attributes: [
        SLOT,
        required('threadline.cdc.chunk_index'),
        recommended(ATTR.MESSAGING_DESTINATION_NAME),
        ...CDC,
        conditional('threadline.cdc.attempt', 'on redelivery'),
        conditional(ATTR.ERROR_TYPE, 'if the handler failed'),
      ],
    },
  ],
  metrics: [
    {
      ...METRICS.MESSAGING_PROCESS_DURATION,
      attributes: [required(ATTR.MESSAGING_SYSTEM), required(ATTR.MESSAGING_OPERATION_NAME), conditional(ATTR.MESSAGING_DESTINATION_NAME, 'the slot'), conditional(ATTR.ERROR_TYPE, 'if the handler failed')],
    },
    { ...METRICS.CDC_CHANGES, attributes: [SLOT, required(ATTR.CDC_TABLE), required(ATTR.CDC_OPERATION)] },
    { ...METRICS.CDC_ERRORS, attributes: [SLOT, required(ATTR.ERROR_TYPE)] },
    { ...METRICS.CDC_TRANSACTIONS, attributes: [SLOT, required(ATTR.RESULT)] },
    { ...METRICS.CDC_LAG, attributes: [SLOT] },
    { ...METRICS.CDC_RECEIVE_LAG, attributes: [SLOT] },
    { ...METRICS.CDC_LAG_BYTES, attributes: [SLOT] },
    { ...METRICS.CDC_RETAINED_WAL, attributes: [SLOT] },
    { ...METRICS.CDC_CONNECTED, attributes: [SLOT] },
    { ...METRICS.CDC_EVENTS_SEEN, attributes: [SLOT] },
    { ...CDC_BUFFERED_BYTES, attributes: [SLOT] },
  ],
  events: [EXCEPTION_EVENT],
  customValues: { [ATTR.MESSAGING_SYSTEM]: ['postgresql.logical_replication'] },
  deviations: [
    '`messaging.system.name` is `postgresql.logical_replication`: semconv lists no value for a database change stream (`postgresql` is a `db.system.name` value).',
    'The CDC metrics (`threadline.cdc.*`) follow Debezium\'s streaming metrics: no OTel convention for CDC exists.',
  ],
};
