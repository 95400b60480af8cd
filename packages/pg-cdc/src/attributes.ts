import type { Attributes } from '@opentelemetry/api';
import { ATTR, SPAN_NAMES } from '@threadline/core';
import { CDC_ATTR, MESSAGING_SYSTEM_POSTGRES_CDC } from './semconv.js';
import type { CdcChange, CdcTransaction } from './types.js';

/** `process {slot}`: the messaging process-span pattern with the slot as the destination. */
export function spanName(slot: string): string {
  return SPAN_NAMES.messaging('process', slot);
}

/** Tables and operations of a transaction, deduplicated; no row values (private by default). */
export function transactionAttributes(slot: string, database: string | undefined, transaction: CdcTransaction): Attributes {
  const tables = new Set<string>();
  const operations = new Set<string>();
  for (const change of transaction.changes) {
    tables.add(qualifiedTable(change));
    operations.add(change.op);
  }
  return {
    ...commonAttributes(slot, database, transaction),
    // Semconv: a batch count only on operations over more than one message.
    ...(transaction.changes.length > 1 ? { [ATTR.MESSAGING_BATCH_MESSAGE_COUNT]: transaction.changes.length } : {}),
    [CDC_ATTR.TABLES]: [...tables],
    [CDC_ATTR.OPERATIONS]: [...operations],
    [CDC_ATTR.CHANGE_COUNT]: transaction.changes.length,
  };
}

/** The `process` span of a transaction delivered in chunks: what is known at its commit (tables and counts are added at its end). */
export function streamedTransactionAttributes(slot: string, database: string | undefined, transaction: CdcTransaction): Attributes {
  return commonAttributes(slot, database, transaction);
}

/** Totals of a transaction delivered in chunks, set on its span when the last chunk was handled. */
export function streamedTotals(tables: ReadonlySet<string>, operations: ReadonlySet<string>, changes: number, chunks: number): Attributes {
  return {
    ...(changes > 1 ? { [ATTR.MESSAGING_BATCH_MESSAGE_COUNT]: changes } : {}),
    [CDC_ATTR.TABLES]: [...tables],
    [CDC_ATTR.OPERATIONS]: [...operations],
    [CDC_ATTR.CHANGE_COUNT]: changes,
    [CDC_ATTR.CHUNK_COUNT]: chunks,
  };
}

/** One chunk's span: the chunk's own tables, kinds and count, and where it sits. */
export function chunkAttributes(slot: string, transaction: CdcTransaction, index: number): Attributes {
  const tables = new Set<string>();
  const operations = new Set<string>();
  for (const change of transaction.changes) {
    tables.add(qualifiedTable(change));
    operations.add(change.op);
  }
  const attributes: Attributes = {
    [ATTR.CDC_SLOT]: slot,
    [ATTR.MESSAGING_DESTINATION_NAME]: slot,
    [CDC_ATTR.CHUNK_INDEX]: index,
    [CDC_ATTR.TABLES]: [...tables],
    [CDC_ATTR.OPERATIONS]: [...operations],
    [CDC_ATTR.CHANGE_COUNT]: transaction.changes.length,
    [CDC_ATTR.LSN]: transaction.lsn,
    [CDC_ATTR.COMMIT_LSN_END]: transaction.endLsn,
    [CDC_ATTR.COMMIT_TIME]: transaction.commitTime.toISOString(),
    [CDC_ATTR.XID]: transaction.xid,
  };
  if (transaction.attempt > 1) attributes[CDC_ATTR.ATTEMPT] = transaction.attempt;
  return attributes;
}

/** `process {slot} chunk`: one handler run over one chunk of a large transaction. */
export function chunkSpanName(slot: string): string {
  return `${spanName(slot)} chunk`;
}

export function changeAttributes(slot: string, database: string | undefined, transaction: CdcTransaction, change: CdcChange): Attributes {
  return {
    ...commonAttributes(slot, database, transaction),
    [ATTR.CDC_TABLE]: qualifiedTable(change),
    [ATTR.CDC_OPERATION]: change.op,
    [CDC_ATTR.TABLES]: [qualifiedTable(change)],
    [CDC_ATTR.OPERATIONS]: [change.op],
    [CDC_ATTR.CHANGE_COUNT]: 1,
  };
}

export function qualifiedTable(change: Pick<CdcChange, 'schema' | 'table'>): string {
  return `${change.schema}.${change.table}`;
}

function commonAttributes(slot: string, database: string | undefined, transaction: CdcTransaction): Attributes {
  const attributes: Attributes = {
    [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_POSTGRES_CDC,
    [ATTR.MESSAGING_OPERATION_NAME]: 'process',
    [ATTR.MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR.MESSAGING_DESTINATION_NAME]: slot,
    [ATTR.DB_SYSTEM_NAME]: 'postgresql',
    [ATTR.CDC_SLOT]: slot,
    [CDC_ATTR.LSN]: transaction.lsn,
    [CDC_ATTR.COMMIT_LSN_END]: transaction.endLsn,
    [CDC_ATTR.COMMIT_TIME]: transaction.commitTime.toISOString(),
    [CDC_ATTR.XID]: transaction.xid,
  };
  if (database) attributes[ATTR.DB_NAMESPACE] = database;
  if (transaction.attempt > 1) attributes[CDC_ATTR.ATTEMPT] = transaction.attempt;
  return attributes;
}
