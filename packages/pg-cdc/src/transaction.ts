import type { CdcChange, CdcMessage, CdcTransaction } from './types.js';
import { formatLsn, parseLsn } from './lsn.js';
import { addParsed, type Parsed } from './changes.js';
import { TAG, type WireMessage } from './pgoutput.js';
import { TransactionSpool, type MemoryGauge, type SpillDirectory } from './spool.js';

/** One part of a committed transaction as the handler gets it, plus what telemetry needs. */
export interface AssembledTransaction {
  readonly transaction: CdcTransaction;
  readonly endLsn: bigint;
  readonly carriers: readonly string[];
  /** Wall-clock ms when the COMMIT arrived from the server (receive lag = this − commit time). */
  readonly receivedAt: number;
}

/** A transaction whose commit arrived: its changes are replayed from the spool in parts. */
export interface CommittedTransaction {
  readonly xid: number;
  readonly lsn: string;
  readonly endLsn: bigint;
  readonly commitTime: Date;
  readonly carriers: readonly string[];
  readonly receivedAt: number;
  /** Spooled bytes (records and headers); at most the chunk size means one part. */
  readonly size: number;
  /** Parts of at most `chunkBytes` spooled bytes each (one record larger than that is a part of its own); frees the spool when done. */
  parts(chunkBytes: number): AsyncGenerator<{ changes: CdcChange[]; messages: CdcMessage[]; last: boolean }>;
  discard(): Promise<void>;
}

export interface RouterOptions {
  readonly tracePrefix: string;
  readonly spill: SpillDirectory;
  readonly memory: MemoryGauge;
  /** Bytes a spool keeps in memory before it writes to its spill file. */
  readonly spoolMemory: number;
  /** Parses one raw row / schema message (relation cache: one per connection, like the server assumes). */
  readonly parse: (raw: Buffer) => unknown;
}

interface Open {
  readonly xid: number;
  readonly spool: TransactionSpool;
  /** Trace carriers with the spool offset they arrived at (a subtransaction abort drops later ones). */
  carriers: { offset: number; text: string }[];
  commitTime?: bigint;
}

// A transaction can carry several writer contexts (several emits); more than this are not kept.
const MAX_CARRIERS = 32;
const READ_BYTES = 64 * 1024;
const decoder = new TextDecoder();

/**
 * Routes pgoutput messages into one spool per open transaction (the plain BEGIN … COMMIT one, and
 * any number of interleaved streamed ones) and hands out committed ones. Knows pgoutput, nothing of OTel.
 */
export class TransactionRouter {
  private plain: Open | undefined;
  private readonly streamed = new Map<number, Open>();
  private block: Open | undefined;

  constructor(private readonly options: RouterOptions) {}

  /** True while any transaction is open (a keep-alive must not confirm past it). */
  get inTransaction(): boolean {
    return this.plain !== undefined || this.streamed.size > 0;
  }

  /** Feeds one message; returns the transaction when it was a COMMIT or a Stream Commit. */
  async push(message: WireMessage): Promise<CommittedTransaction | undefined> {
    switch (message.tag) {
      case 'begin':
        await this.plain?.spool.discard();
        this.plain = { xid: message.xid, spool: this.spool(), carriers: [], commitTime: message.commitTime };
        return undefined;
      case 'commit': {
        const open = this.plain;
        this.plain = undefined;
        if (!open) return undefined;
        if (!message.commitEndLsn) return void (await open.spool.discard());
        return this.committed(open, message.commitLsn, message.commitEndLsn, message.commitTime);
      }
      case 'stream_start': {
        let open = this.streamed.get(message.xid);
        if (!open) this.streamed.set(message.xid, (open = { xid: message.xid, spool: this.spool(), carriers: [] }));
        this.block = open;
        return undefined;
      }
      case 'stream_stop':
        // Between blocks a streamed transaction waits on disk: interleaved ones must not add up in memory.
        await this.block?.spool.flush();
        this.block = undefined;
        return undefined;
      case 'stream_abort':
        await this.abort(message.xid, message.subxid);
        return undefined;
      case 'stream_commit': {
        const open = this.streamed.get(message.xid);
        this.streamed.delete(message.xid);
        if (!open) return undefined;
        if (!message.commitEndLsn) return void (await open.spool.discard());
        return this.committed(open, message.commitLsn, message.commitEndLsn, message.commitTime);
      }
      case 'raw':
        await this.append(message);
        return undefined;
      default:
        return undefined;
    }
  }

  /** Drops every half-received transaction (the connection was lost before its commit). */
  async reset(): Promise<void> {
    const open = [this.plain, ...this.streamed.values()];
    this.plain = undefined;
    this.block = undefined;
    this.streamed.clear();
    for (const o of open) await o?.spool.discard();
  }

  private spool(): TransactionSpool {
    return new TransactionSpool(this.options.spill, this.options.memory, this.options.spoolMemory);
  }

  /** A row / schema / logical message: synchronous unless the spool has to write to its spill file. */
  append(message: Extract<WireMessage, { tag: 'raw' }>): Promise<void> | undefined {
    const { kind, xid, raw } = message;
    const open = this.block ?? this.plain;
    if (kind === TAG.RELATION || kind === TAG.TYPE) {
      // Parsed now (a later transaction may rely on it even when this one is skipped) and replayed
      // in place, so a change before an ALTER in the same transaction reads the old shape.
      this.options.parse(raw);
      return open?.spool.append(xid, raw);
    }
    if (!open) return undefined;
    if (kind === TAG.MESSAGE) {
      const parsed = this.options.parse(raw) as Extract<Parsed, { tag: 'message' }>;
      if (!parsed.transactional) return undefined;
      if (parsed.prefix === this.options.tracePrefix) {
        if (open.carriers.length < MAX_CARRIERS) open.carriers.push({ offset: open.spool.size, text: decoder.decode(parsed.content) });
        return undefined;
      }
    }
    return open.spool.append(xid, raw);
  }

  private async abort(xid: number, subxid: number): Promise<void> {
    const open = this.streamed.get(xid);
    if (!open) return;
    if (xid === subxid) {
      this.streamed.delete(xid);
      if (this.block === open) this.block = undefined;
      await open.spool.discard();
      return;
    }
    const cut = await open.spool.abortSubtransaction(subxid);
    if (cut !== undefined) open.carriers = open.carriers.filter((c) => c.offset < cut);
  }

  private committed(open: Open, commitLsn: string | null, commitEndLsn: string, commitTime: bigint): CommittedTransaction {
    const endLsn = parseLsn(commitEndLsn);
    const { spool } = open;
    const { parse, memory } = this.options;
    return {
      xid: open.xid,
      lsn: commitLsn ? formatLsn(parseLsn(commitLsn)) : formatLsn(endLsn),
      endLsn,
      // pgoutput commit times are microseconds since the Unix epoch here (the 2000 epoch shifted).
      commitTime: new Date(Number(commitTime / 1000n)),
      carriers: open.carriers.map((c) => c.text),
      receivedAt: Date.now(),
      size: spool.size,
      discard: () => spool.discard(),
      async *parts(chunkBytes) {
        let changes: CdcChange[] = [];
        let messages: CdcMessage[] = [];
        let bytes = 0;
        // Bytes of this chunk read back from the file: memory-resident records are counted by the spool already.
        let counted = 0;
        try {
          for await (const batch of spool.replay(READ_BYTES)) {
            for (const { raw, fromFile } of batch) {
              const parsed = parse(raw) as Parsed;
              if (parsed.tag === 'relation' || parsed.tag === 'type') continue;
              const size = raw.length + 8;
              if (bytes > 0 && bytes + size > chunkBytes) {
                yield { changes, messages, last: false };
                memory.add(-counted);
                changes = [];
                messages = [];
                bytes = 0;
                counted = 0;
              }
              bytes += size;
              if (fromFile) {
                counted += size;
                memory.add(size);
              }
              addParsed(parsed, changes, messages);
            }
          }
          yield { changes, messages, last: true };
        } finally {
          memory.add(-counted);
          await spool.discard();
        }
      },
    };
  }
}

/** The handler's view of one part. */
export function transactionOf(committed: CommittedTransaction, changes: readonly CdcChange[], messages: readonly CdcMessage[], attempt: number): CdcTransaction {
  return { xid: committed.xid, lsn: committed.lsn, endLsn: formatLsn(committed.endLsn), commitTime: committed.commitTime, changes, messages, attempt };
}
