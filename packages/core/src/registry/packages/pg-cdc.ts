import { ATTR, METRICS } from '../../names.js';
import { CONVENTION, conditional, EXCEPTION_EVENT, recommended, required } from '../conventions.js';
import type { PackageNames } from '../types.js';

const SLOT = required(ATTR.CDC_SLOT);
const CDC = ['tables', 'operations', 'change_count', 'lsn', 'commit_end_lsn', 'commit_time', 'xid'].map((name) => recommended(`threadline.cdc.${name}`));

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
  ],
  events: [EXCEPTION_EVENT],
  customValues: { [ATTR.MESSAGING_SYSTEM]: ['postgresql.logical_replication'] },
  deviations: [
    '`messaging.system.name` is `postgresql.logical_replication`: semconv lists no value for a database change stream (`postgresql` is a `db.system.name` value).',
    'The CDC metrics (`threadline.cdc.*`) follow Debezium\'s streaming metrics: no OTel convention for CDC exists.',
  ],
};
