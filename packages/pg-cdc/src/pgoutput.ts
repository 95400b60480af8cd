import { PgoutputPlugin } from 'pg-logical-replication';

/**
 * What the replication connection hands the stream, in socket order. pg-logical-replication 2.5's
 * parser knows neither the streaming messages (Stream Start / Stop / Commit / Abort) nor the xid
 * that protocol 2 puts in front of every change inside a stream block, so this plugin reads those
 * itself. Row and schema messages stay raw bytes here: they are spooled as received and parsed in
 * order when their transaction is replayed (as Postgres' own apply worker does), so a transaction
 * is never held parsed and whole.
 */
export type WireMessage =
  | { tag: 'begin'; commitLsn: string | null; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: string | null; commitEndLsn: string | null; commitTime: bigint }
  /** A row / schema / logical message; `xid` is the (sub)transaction's inside a stream block, else 0. */
  | { tag: 'raw'; kind: number; xid: number; raw: Buffer }
  | { tag: 'stream_start'; xid: number; first: boolean }
  | { tag: 'stream_stop' }
  | { tag: 'stream_commit'; xid: number; commitLsn: string | null; commitEndLsn: string | null; commitTime: bigint }
  | { tag: 'stream_abort'; xid: number; subxid: number }
  | { tag: 'parse_error'; error: unknown }
  | { tag: 'other' };

// pgoutput message tags (protocol-logicalrep-message-formats).
export const TAG = {
  INSERT: 0x49,
  UPDATE: 0x55,
  DELETE: 0x44,
  TRUNCATE: 0x54,
  MESSAGE: 0x4d,
  RELATION: 0x52,
  TYPE: 0x59,
  STREAM_START: 0x53,
  STREAM_STOP: 0x45,
  STREAM_COMMIT: 0x63,
  STREAM_ABORT: 0x41,
} as const;

const RAW_KINDS = new Set<number>([TAG.INSERT, TAG.UPDATE, TAG.DELETE, TAG.TRUNCATE, TAG.MESSAGE, TAG.RELATION, TAG.TYPE]);

// Postgres timestamps count from 2000-01-01; the library's parser shifts them to the Unix epoch (µs).
const POSTGRES_EPOCH_US = 946_684_800_000_000n;

export interface PluginOptions {
  readonly publicationNames: string[];
  /** pgoutput `streaming 'on'`: transactions above the server's logical_decoding_work_mem arrive in stream blocks. */
  readonly streaming: boolean;
}

/** pgoutput v2 with logical messages and (optionally) streaming; never throws inside pg's socket parser. */
export class StreamingPgoutputPlugin extends PgoutputPlugin {
  private inStreamBlock = false;

  constructor(private readonly streamOptions: PluginOptions) {
    super({ protoVersion: 2, publicationNames: streamOptions.publicationNames, messages: true });
  }

  override start(...args: Parameters<PgoutputPlugin['start']>): ReturnType<PgoutputPlugin['start']> {
    if (!this.streamOptions.streaming) return super.start(...args);
    // The library's start() has no streaming option: the same command, with it.
    const [client, slot, lsn] = args;
    const options = [`proto_version '2'`, `publication_names '${this.streamOptions.publicationNames.join(',')}'`, `messages 'true'`, `streaming 'on'`];
    return client.query(`START_REPLICATION SLOT "${slot}" LOGICAL ${lsn} (${options.join(', ')})`) as ReturnType<PgoutputPlugin['start']>;
  }

  override parse(buffer: Buffer): ReturnType<PgoutputPlugin['parse']> {
    try {
      return this.read(buffer) as never;
    } catch (error) {
      return { tag: 'parse_error', error } as never;
    }
  }

  /** Parses a raw row / schema message (xid already removed) with the library's parser. */
  parseRaw(raw: Buffer): unknown {
    return super.parse(raw);
  }

  private read(buffer: Buffer): WireMessage {
    const tag = buffer[0] as number;
    switch (tag) {
      case TAG.STREAM_START:
        this.inStreamBlock = true;
        return { tag: 'stream_start', xid: buffer.readUInt32BE(1), first: buffer[5] === 1 };
      case TAG.STREAM_STOP:
        this.inStreamBlock = false;
        return { tag: 'stream_stop' };
      case TAG.STREAM_COMMIT:
        // Int32 xid, Int8 flags, Int64 commit LSN, Int64 end LSN, Int64 commit time.
        return {
          tag: 'stream_commit',
          xid: buffer.readUInt32BE(1),
          commitLsn: lsnAt(buffer, 6),
          commitEndLsn: lsnAt(buffer, 14),
          commitTime: buffer.readBigUInt64BE(22) + POSTGRES_EPOCH_US,
        };
      case TAG.STREAM_ABORT:
        return { tag: 'stream_abort', xid: buffer.readUInt32BE(1), subxid: buffer.readUInt32BE(5) };
      default:
        break;
    }
    if (RAW_KINDS.has(tag)) {
      if (!this.inStreamBlock) return { tag: 'raw', kind: tag, xid: 0, raw: Buffer.from(buffer) };
      // Inside a stream block the message carries its (sub)transaction's xid after the tag: drop it,
      // so the library's parser reads the rest as an ordinary message.
      const raw = Buffer.allocUnsafe(buffer.length - 4);
      raw[0] = tag;
      buffer.copy(raw, 1, 5);
      return { tag: 'raw', kind: tag, xid: buffer.readUInt32BE(1), raw };
    }
    const parsed = super.parse(buffer) as { tag: string };
    if (parsed.tag === 'begin' || parsed.tag === 'commit') return parsed as WireMessage;
    return { tag: 'other' };
  }
}

function lsnAt(buffer: Buffer, offset: number): string | null {
  const high = buffer.readUInt32BE(offset);
  const low = buffer.readUInt32BE(offset + 4);
  if (high === 0 && low === 0) return null;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}
