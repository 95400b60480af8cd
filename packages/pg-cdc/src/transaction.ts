import type { CdcChange, CdcMessage, CdcTransaction } from './types.js';
import { formatLsn, parseLsn } from './lsn.js';

/** The pgoutput messages the assembler reads (pg-logical-replication's parsed shapes, narrowed). */
export interface RelationLike {
  readonly schema: string;
  readonly name: string;
}
export type PgoutputMessage =
  | { tag: 'begin'; commitLsn: string | null; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: string | null; commitEndLsn: string | null; commitTime: bigint }
  | { tag: 'insert'; relation: RelationLike; new: Record<string, unknown> }
  | { tag: 'update'; relation: RelationLike; key: Record<string, unknown> | null; old: Record<string, unknown> | null; new: Record<string, unknown> }
  | { tag: 'delete'; relation: RelationLike; key: Record<string, unknown> | null; old: Record<string, unknown> | null }
  | { tag: 'truncate'; relations: (RelationLike | undefined)[] }
  | { tag: 'message'; transactional: boolean; prefix: string; content: Uint8Array }
  | { tag: 'relation' | 'type' | 'origin' };

/** A completed transaction plus the raw trace carriers found in it. */
export interface AssembledTransaction {
  readonly transaction: CdcTransaction;
  readonly endLsn: bigint;
  readonly carriers: readonly string[];
  /** Wall-clock ms when the COMMIT arrived from the server (receive lag = this − commit time). */
  readonly receivedAt: number;
}

const decoder = new TextDecoder();

/**
 * Buffers pgoutput messages from BEGIN to COMMIT into one transaction (pgoutput without streaming
 * sends only committed transactions, whole). Knows pgoutput, nothing of OTel.
 */
export class TransactionAssembler {
  private open: { xid: number; commitTime: bigint; changes: CdcChange[]; messages: CdcMessage[]; carriers: string[] } | undefined;

  constructor(private readonly tracePrefix: string) {}

  get inTransaction(): boolean {
    return this.open !== undefined;
  }

  /** Feeds one message; returns the transaction when it was the COMMIT. */
  push(message: PgoutputMessage): AssembledTransaction | undefined {
    switch (message.tag) {
      case 'begin':
        this.open = { xid: message.xid, commitTime: message.commitTime, changes: [], messages: [], carriers: [] };
        return undefined;
      case 'insert':
        this.open?.changes.push(change('insert', message.relation, message.new, null, null));
        return undefined;
      case 'update':
        this.open?.changes.push(change('update', message.relation, message.new, message.old, message.key));
        return undefined;
      case 'delete':
        this.open?.changes.push(change('delete', message.relation, null, message.old, message.key));
        return undefined;
      case 'truncate':
        for (const relation of message.relations) {
          if (relation) this.open?.changes.push(change('truncate', relation, null, null, null));
        }
        return undefined;
      case 'message':
        if (!this.open || !message.transactional) return undefined;
        if (message.prefix === this.tracePrefix) this.open.carriers.push(decoder.decode(message.content));
        else this.open.messages.push({ prefix: message.prefix, content: message.content });
        return undefined;
      case 'commit':
        return this.commit(message);
      default:
        return undefined;
    }
  }

  /** Drops a half-received transaction (the connection was lost before its COMMIT). */
  reset(): void {
    this.open = undefined;
  }

  private commit(message: Extract<PgoutputMessage, { tag: 'commit' }>): AssembledTransaction | undefined {
    const open = this.open;
    this.open = undefined;
    if (!open || !message.commitEndLsn) return undefined;
    const endLsn = parseLsn(message.commitEndLsn);
    const transaction: CdcTransaction = {
      xid: open.xid,
      lsn: message.commitLsn ? formatLsn(parseLsn(message.commitLsn)) : formatLsn(endLsn),
      endLsn: formatLsn(endLsn),
      // pgoutput commit times are microseconds since the Unix epoch here (the parser shifts the 2000 epoch).
      commitTime: new Date(Number(message.commitTime / 1000n)),
      changes: open.changes,
      messages: open.messages,
      attempt: 1,
    };
    return { transaction, endLsn, carriers: open.carriers, receivedAt: Date.now() };
  }
}

function change(
  op: CdcChange['op'],
  relation: RelationLike,
  row: Record<string, unknown> | null,
  old: Record<string, unknown> | null,
  key: Record<string, unknown> | null,
): CdcChange {
  return { op, schema: relation.schema, table: relation.name, new: row, old, key };
}
