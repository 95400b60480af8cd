import { stat } from 'node:fs/promises';
import { readSpans } from './files.js';
import { follow, followLogs } from './follow.js';
import { formatLogLine, logsBySpan } from './logs.js';
import { readMetricsStats, renderMetrics } from './metrics-render.js';
import { groupTraces, renderTrace } from './render.js';

export const USAGE = `usage: threadline traces [file-or-dir] [--trace <id>] [--follow] [--limit <n>]
       threadline logs   [file-or-dir] [--trace <id>] [--follow] [--limit <n>]
       threadline metrics [file-or-dir] [--since <5m>] [--follow]

  traces        each trace as a tree of spans, the log lines written in a span under it
  logs          log records, oldest first: time, level, service, trace and span id, message
  metrics       per operation: calls, rate, error %, p50 / p95 / p99, time spent, trend
  --since <d>   metrics of the last d only (e.g. 30s, 5m, 1h)
  file-or-dir   a traces.jsonl / logs.jsonl file (its rotated copies are read too) or a directory
                of *.jsonl files; default: $THREADLINE_FILE_DIRECTORY or .threadline
  --trace <id>  only the trace with this id
  --follow      keep running and print traces / log records as they are written
  --limit <n>   print at most n traces (newest first) or the last n log records (default 50)`;

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env?: Record<string, string | undefined>;
  readonly signal?: AbortSignal;
}

interface Args {
  target: string | undefined;
  sinceMs: number | undefined;
  traceId: string | undefined;
  follow: boolean;
  limit: number;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { target: undefined, sinceMs: undefined, traceId: undefined, follow: false, limit: 50 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--follow' || arg === '-f') args.follow = true;
    else if (arg === '--since') {
      const match = /^(\d+)(s|m|h)$/.exec(argv[++i] ?? '');
      if (!match) return `--since needs a duration such as 30s, 5m or 1h`;
      args.sinceMs = Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
    } else if (arg === '--trace' || arg === '--limit') {
      const value = argv[++i];
      if (!value) return `${arg} needs a value`;
      if (arg === '--trace') args.traceId = value.toLowerCase();
      else if (!/^\d+$/.test(value) || Number(value) < 1) return `--limit needs a positive integer, got "${value}"`;
      else args.limit = Number(value);
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (args.target === undefined) args.target = arg;
    else return `unexpected argument ${arg}`;
  }
  return args;
}

/** `threadline <argv>`; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'traces' && command !== 'logs' && command !== 'metrics') {
    io.err(`${command ? `unknown command "${command}"` : 'missing command'}\n${USAGE}\n`);
    return 2;
  }
  const args = parseArgs(rest);
  if (typeof args === 'string') {
    io.err(`${args}\n${USAGE}\n`);
    return 2;
  }
  const env = io.env ?? process.env;
  const target = args.target ?? env.THREADLINE_FILE_DIRECTORY ?? '.threadline';
  const info = await stat(target).catch(() => undefined);
  if (!info && !args.follow) {
    io.err(`threadline: no such file or directory: ${target}\n`);
    return 1;
  }
  if (command === 'logs') return showLogs(target, info?.isDirectory(), args, io);
  if (command === 'metrics') return showMetrics(target, args, io);
  if (info) {
    const { spans, logs, malformed } = await readSpans(target);
    if (malformed > 0) io.err(`threadline: skipped ${malformed} malformed line(s) (e.g. a line still being written)\n`);
    const bySpan = logsBySpan(logs);
    const traces = groupTraces(args.traceId ? spans.filter((s) => s.traceId === args.traceId) : spans).slice(0, args.limit);
    for (const trace of traces) io.out(`${renderTrace(trace, bySpan)}\n\n`);
    if (traces.length === 0 && !args.follow) {
      io.err(args.traceId ? `threadline: trace ${args.traceId} not found in ${target}\n` : `threadline: no traces in ${target}\n`);
      return args.traceId ? 1 : 0;
    }
  }
  if (args.follow) {
    await follow(target, info?.isDirectory() ?? true, { traceId: args.traceId, write: io.out, signal: io.signal });
  }
  return 0;
}

async function showLogs(target: string, isDirectory: boolean | undefined, args: Args, io: CliIo): Promise<number> {
  if (isDirectory !== undefined) {
    const { logs, malformed } = await readSpans(target);
    if (malformed > 0) io.err(`threadline: skipped ${malformed} malformed line(s) (e.g. a line still being written)\n`);
    const shown = (args.traceId ? logs.filter((l) => l.traceId === args.traceId) : logs)
      .sort((a, b) => (a.timeNs === b.timeNs ? 0 : a.timeNs < b.timeNs ? -1 : 1))
      .slice(-args.limit);
    for (const log of shown) io.out(`${formatLogLine(log)}\n`);
    if (shown.length === 0 && !args.follow) {
      io.err(args.traceId ? `threadline: no log records of trace ${args.traceId} in ${target}\n` : `threadline: no log records in ${target}\n`);
      return args.traceId ? 1 : 0;
    }
  }
  if (args.follow) await followLogs(target, isDirectory ?? true, { traceId: args.traceId, write: io.out, signal: io.signal });
  return 0;
}

async function showMetrics(target: string, args: Args, io: CliIo): Promise<number> {
  for (;;) {
    const { stats, malformed } = await readMetricsStats(target, args.sinceMs, Date.now());
    if (malformed > 0 && !args.follow) io.err(`threadline: skipped ${malformed} malformed line(s) (e.g. a line still being written)\n`);
    if (stats.length > 0) io.out(`${renderMetrics(stats)}\n`);
    else if (!args.follow) io.err(`threadline: no duration metrics in ${target}\n`);
    if (!args.follow || io.signal?.aborted) return 0;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (io.signal?.aborted) return 0;
    io.out('\n');
  }
}
