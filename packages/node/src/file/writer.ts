import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export interface RotatingFileOptions {
  /** e.g. `.threadline/traces.jsonl`; rotated copies are `traces.1.jsonl` (newest) … `traces.N.jsonl`. */
  readonly path: string;
  readonly maxBytes: number;
  readonly maxBackups: number;
  /** Bytes waiting for the disk past which new lines are refused (memory stays bounded). */
  readonly maxBufferedBytes?: number;
}

interface Pending {
  readonly data: Buffer;
  readonly done: (error: Error | undefined) => void;
}

/** `traces.jsonl` → `traces.3.jsonl`: every rotated file still ends in `.jsonl` for glob-based readers. */
export function backupPath(path: string, index: number): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${index}${ext}`);
}

/**
 * Appends lines to a file from one background loop: `write` never throws and never blocks the
 * caller; it resolves with the error (if any) once the line is on disk or refused.
 */
export class RotatingFileWriter {
  private readonly queue: Pending[] = [];
  private buffered = 0;
  private draining: Promise<void> | undefined;
  private handle: FileHandle | undefined;
  private size = 0;
  private readonly maxBufferedBytes: number;

  constructor(private readonly options: RotatingFileOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
  }

  get path(): string {
    return this.options.path;
  }

  write(line: string): Promise<Error | undefined> {
    const data = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
    if (this.buffered + data.length > this.maxBufferedBytes) {
      return Promise.resolve(new Error(`threadline: file buffer full (${this.maxBufferedBytes} bytes pending for ${this.options.path})`));
    }
    this.buffered += data.length;
    return new Promise((resolve) => {
      this.queue.push({ data, done: resolve });
      this.draining ??= this.drain();
    });
  }

  /** Resolves when everything written so far is on disk. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeHandle();
  }

  /** Clears `draining` in the same tick it sees the queue empty, so no write is left unserved. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        this.draining = undefined;
        return;
      }
      const batch = this.takeBatch();
      const data = Buffer.concat(batch.map((p) => p.data));
      let error: Error | undefined;
      try {
        await this.append(data);
      } catch (cause) {
        error = cause as Error;
        await this.closeHandle();
      }
      this.buffered -= data.length;
      for (const p of batch) p.done(error);
    }
  }

  /** Lines that fit in the current file together (at least one line). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [this.queue.shift() as Pending];
    let bytes = batch[0]?.data.length ?? 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (this.size + bytes + next.data.length > this.options.maxBytes) break;
      bytes += next.data.length;
      batch.push(this.queue.shift() as Pending);
    }
    return batch;
  }

  private async append(data: Buffer): Promise<void> {
    if (!this.handle) await this.openHandle();
    if (this.size > 0 && this.size + data.length > this.options.maxBytes) {
      await this.rotate();
    }
    await (this.handle as FileHandle).appendFile(data);
    this.size += data.length;
  }

  private async openHandle(): Promise<void> {
    await mkdir(dirname(this.options.path), { recursive: true });
    this.handle = await open(this.options.path, 'a');
    this.size = (await stat(this.options.path)).size;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  private async rotate(): Promise<void> {
    await this.closeHandle();
    const { path, maxBackups } = this.options;
    if (maxBackups === 0) {
      await unlink(path).catch(ignoreMissing);
    } else {
      await unlink(backupPath(path, maxBackups)).catch(ignoreMissing);
      for (let i = maxBackups - 1; i >= 1; i--) await rename(backupPath(path, i), backupPath(path, i + 1)).catch(ignoreMissing);
      await rename(path, backupPath(path, 1)).catch(ignoreMissing);
    }
    await this.openHandle();
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
