import { mkdtemp, open, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const REPORT_STEP = 16 * 1024;

/** Bytes of transaction data the consumer holds in memory, shared by the queue, the spools and the chunk in delivery. */
export class MemoryGauge {
  private bytes = 0;
  private peakBytes = 0;
  private reported = 0;

  constructor(private readonly report: (bytes: number) => void) {}

  get current(): number {
    return this.bytes;
  }

  /** Highest value since the consumer was created (tests, diagnostics). */
  get peak(): number {
    return this.peakBytes;
  }

  add(delta: number): void {
    this.bytes += delta;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    // Reported in steps (and at zero): a gauge set per message would cost more than the message.
    if (this.bytes === 0 || Math.abs(this.bytes - this.reported) >= REPORT_STEP) {
      this.reported = this.bytes;
      this.report(this.bytes);
    }
  }
}

/** Where spill files go: one private directory per replication connection, created on first use. */
export class SpillDirectory {
  private path: Promise<string> | undefined;
  private readonly handles = new Map<FileHandle, string>();

  constructor(private readonly parent: string) {}

  async file(): Promise<FileHandle> {
    this.path ??= mkdtemp(join(this.parent, 'threadline-cdc-'));
    const dir = await this.path;
    // Row values land here: readable by this user only, removed once delivered or aborted.
    const path = join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.spool`);
    const handle = await open(path, 'w+', 0o600);
    this.handles.set(handle, path);
    return handle;
  }

  async release(handle: FileHandle): Promise<void> {
    const path = this.handles.get(handle);
    this.handles.delete(handle);
    await handle.close().catch(() => undefined);
    if (path) await unlink(path).catch(() => undefined);
  }

  async remove(): Promise<void> {
    for (const handle of this.handles.keys()) await handle.close().catch(() => undefined);
    this.handles.clear();
    const path = this.path;
    this.path = undefined;
    if (path) await rm(await path, { recursive: true, force: true }).catch(() => undefined);
  }
}

const HEADER = 8; // Int32 length, Int32 (sub)transaction xid

/** One spooled record: a raw pgoutput message and the (sub)transaction it belongs to. */
export interface SpoolRecord {
  readonly xid: number;
  readonly raw: Buffer;
  /** Read back from the spill file (else it is the spool's own memory, already counted). */
  readonly fromFile?: boolean;
}

/**
 * The raw messages of one transaction, in arrival order: in memory up to `memoryLimit` bytes,
 * then appended to a spill file. A subtransaction abort cuts everything from that subtransaction's
 * first message on (later messages can only belong to it or to its children: a transaction runs
 * one subtransaction at a time), as Postgres' apply worker does with its stream files.
 */
export class TransactionSpool {
  private pending: SpoolRecord[] = [];
  private pendingBytes = 0;
  private fileBytes = 0;
  private file: FileHandle | undefined;
  private readonly subxactStart = new Map<number, number>();

  constructor(
    private readonly spill: SpillDirectory,
    private readonly memory: MemoryGauge,
    private readonly memoryLimit: number,
  ) {}

  /** Bytes spooled (records with their 8-byte headers): what a replay reads. */
  get size(): number {
    return this.fileBytes + this.pendingBytes;
  }

  /** Adds one record; returns a promise only when it has to write to the spill file (the hot path stays synchronous). */
  append(xid: number, raw: Buffer): Promise<void> | undefined {
    if (xid !== 0 && !this.subxactStart.has(xid)) this.subxactStart.set(xid, this.size);
    this.pending.push({ xid, raw });
    this.pendingBytes += HEADER + raw.length;
    this.memory.add(HEADER + raw.length);
    return this.pendingBytes > this.memoryLimit ? this.flush() : undefined;
  }

  /** Writes what is in memory to the spill file (also between stream blocks: interleaved transactions must not add up). */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    this.file ??= await this.spill.file();
    const data = Buffer.allocUnsafe(this.pendingBytes);
    let at = 0;
    for (const { xid, raw } of this.pending) {
      data.writeUInt32BE(raw.length, at);
      data.writeUInt32BE(xid, at + 4);
      raw.copy(data, at + HEADER);
      at += HEADER + raw.length;
    }
    await this.file.write(data, 0, data.length, this.fileBytes);
    this.fileBytes += data.length;
    this.dropPending();
  }

  /** Subtransaction `xid` aborted: returns the offset cut at, or undefined when nothing of it was spooled. */
  async abortSubtransaction(xid: number): Promise<number | undefined> {
    const start = this.subxactStart.get(xid);
    if (start === undefined) return undefined;
    for (const [sub, offset] of this.subxactStart) if (offset >= start) this.subxactStart.delete(sub);
    if (start >= this.fileBytes) {
      // Only memory is cut.
      let at = this.fileBytes;
      let keep = 0;
      while (keep < this.pending.length && at < start) {
        at += HEADER + (this.pending[keep] as SpoolRecord).raw.length;
        keep++;
      }
      const cut = this.pendingBytes - (start - this.fileBytes);
      this.pending.length = keep;
      this.pendingBytes -= cut;
      this.memory.add(-cut);
    } else {
      this.dropPending();
      await this.file?.truncate(start);
      this.fileBytes = start;
    }
    return start;
  }

  /**
   * Records in order, in batches (one per file block read, then the in-memory tail): a batch is
   * walked synchronously, so a replay costs one async step per block, not per record. Reads at most
   * about `readBytes` of file at a time (one record larger than that is read whole).
   */
  async *replay(readBytes: number): AsyncGenerator<readonly SpoolRecord[]> {
    const file = this.file;
    if (file && this.fileBytes > 0) {
      let position = 0;
      let carry: Buffer = Buffer.alloc(0);
      while (position < this.fileBytes) {
        const missing = carry.length >= HEADER ? HEADER + carry.readUInt32BE(0) - carry.length : 0;
        const want = Math.min(Math.max(readBytes, missing), this.fileBytes - position);
        const block = Buffer.allocUnsafe(want);
        const { bytesRead } = await file.read(block, 0, want, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        carry = carry.length > 0 ? Buffer.concat([carry, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
        const batch: SpoolRecord[] = [];
        let at = 0;
        while (at + HEADER <= carry.length) {
          const length = carry.readUInt32BE(at);
          if (at + HEADER + length > carry.length) break;
          batch.push({ xid: carry.readUInt32BE(at + 4), raw: carry.subarray(at + HEADER, at + HEADER + length), fromFile: true });
          at += HEADER + length;
        }
        carry = carry.subarray(at);
        if (batch.length > 0) yield batch;
      }
    }
    if (this.pending.length > 0) yield this.pending;
  }

  /** Frees memory and the spill file. */
  async discard(): Promise<void> {
    this.dropPending();
    const file = this.file;
    this.file = undefined;
    if (file) await this.spill.release(file);
  }

  private dropPending(): void {
    if (this.pendingBytes > 0) this.memory.add(-this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
