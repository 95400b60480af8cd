import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { backupPath } from '../file/writer.js';
import { formatLogLine, logsBySpan, type ViewLog } from './logs.js';
import { groupTraces, renderTrace } from './render.js';
import { parseLines, type ParsedLines, type ViewSpan } from './spans.js';

async function readRange(path: string, from: number, to: number): Promise<string> {
  if (to <= from) return '';
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads what was appended to one file since the last call, following it across a rotation. */
class FileTail {
  private offset = 0;
  private inode: number | undefined;
  private rest = '';

  constructor(readonly path: string) {}

  async skipExisting(): Promise<void> {
    const info = await stat(this.path).catch(() => undefined);
    this.offset = info?.size ?? 0;
    this.inode = info?.ino;
  }

  /** Complete new lines (a line still being written waits for the next call). */
  async read(): Promise<string> {
    const info = await stat(this.path).catch(() => undefined);
    if (!info) return '';
    let text = '';
    if (this.inode !== undefined && info.ino !== this.inode) {
      // The writer renamed our file to `.1`: finish it there, then start the new file from 0.
      const old = await stat(backupPath(this.path, 1)).catch(() => undefined);
      if (old?.ino === this.inode) text += await readRange(backupPath(this.path, 1), this.offset, old.size);
      this.offset = 0;
    } else if (info.size < this.offset) {
      this.offset = 0;
    }
    this.inode = info.ino;
    text += await readRange(this.path, this.offset, info.size);
    this.offset = info.size;
    const all = this.rest + text;
    const cut = all.lastIndexOf('\n');
    this.rest = all.slice(cut + 1);
    return all.slice(0, cut + 1);
  }
}

export interface FollowOptions {
  readonly traceId?: string;
  /** A trace is printed once no new span of it arrived for this long. */
  readonly settleMs?: number;
  readonly pollMs?: number;
  readonly write: (text: string) => void;
  readonly signal?: AbortSignal;
}

/** Polls `target` (a file, or every current and future `*.jsonl` head file of a directory) and hands each batch of new lines over. */
async function tailLines(target: string, isDirectory: boolean, options: FollowOptions, onLines: (parsed: ParsedLines, now: number) => void): Promise<void> {
  const tails = new Map<string, FileTail>();
  const discover = async (initial: boolean) => {
    const paths = isDirectory
      ? (await readdir(target).catch(() => [] as string[])).filter((n) => n.endsWith('.jsonl') && !/\.\d+\.jsonl$/.test(n)).map((n) => join(target, n))
      : [target];
    for (const path of paths) {
      if (tails.has(path)) continue;
      const tail = new FileTail(path);
      if (initial) await tail.skipExisting();
      tails.set(path, tail);
    }
  };

  await discover(true);
  while (!options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    await discover(false);
    const now = Date.now();
    for (const tail of tails.values()) onLines(parseLines(await tail.read()), now);
    onLines({ spans: [], logs: [], malformed: 0 }, now);
  }
}

/** Prints each trace once no new span of it arrived for `settleMs`, with the log lines written in its spans. */
export async function follow(target: string, isDirectory: boolean, options: FollowOptions): Promise<void> {
  const settleMs = options.settleMs ?? 1000;
  const pending = new Map<string, { spans: ViewSpan[]; logs: ViewLog[]; lastSeen: number }>();
  const entry = (traceId: string, now: number) => {
    const found = pending.get(traceId) ?? { spans: [], logs: [], lastSeen: now };
    pending.set(traceId, found);
    return found;
  };
  await tailLines(target, isDirectory, options, ({ spans, logs }, now) => {
    for (const span of spans) {
      if (options.traceId && span.traceId !== options.traceId) continue;
      const e = entry(span.traceId, now);
      e.spans.push(span);
      e.lastSeen = now;
    }
    for (const log of logs) {
      if (!log.traceId || (options.traceId && log.traceId !== options.traceId)) continue;
      entry(log.traceId, now).logs.push(log);
    }
    for (const [traceId, e] of pending) {
      if (e.spans.length === 0 || (now - e.lastSeen < settleMs && !options.signal?.aborted)) continue;
      pending.delete(traceId);
      for (const trace of groupTraces(e.spans)) options.write(`${renderTrace(trace, logsBySpan(e.logs))}\n\n`);
    }
  });
}

/** Prints each new log record (of one trace, with `traceId`) as it is written. */
export async function followLogs(target: string, isDirectory: boolean, options: FollowOptions): Promise<void> {
  await tailLines(target, isDirectory, options, ({ logs }) => {
    for (const log of logs) if (!options.traceId || log.traceId === options.traceId) options.write(`${formatLogLine(log)}\n`);
  });
}
