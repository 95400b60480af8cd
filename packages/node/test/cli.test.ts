import { appendFile, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runApp } from '@threadline/testing';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/viewer/command.js';

const here = dirname(fileURLToPath(import.meta.url));
const recorded = join(here, 'fixtures', 'recorded');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), env: {} });
  return { code, out, err };
}

const NEWER = `trace 0af7651916cd43dd8448eb211c80319c  2026-11-18T11:07:40.000Z  1.50 ms  1 span
  GET /health  api  SERVER    |██████████████████████████████|   1.50 ms
`;
const OLDER = `trace 4bf92f3577b34da6a3ce929d0e0e4736  2026-11-18T11:06:40.000Z  40.0 ms  4 spans  ✗ 1 error
  POST /orders          api     SERVER    |██████████████████████████████|   40.0 ms
    └ send orders       api     PRODUCER  | ██                           |   3.00 ms
      └ process orders  worker  CONSUMER  |               ███████████    |   15.0 ms  ✗ boom
    └ INSERT orders     api     CLIENT    |    ████████                  |   10.0 ms
`;

describe('threadline traces (recorded file)', () => {
  it('prints every trace as a tree, newest first, reading rotated files and surviving a truncated last line', async () => {
    const { code, out, err } = await cli('traces', recorded);
    expect(code).toBe(0);
    expect(out).toBe(`${NEWER}\n${OLDER}\n`);
    expect(err).toBe('threadline: skipped 1 malformed line(s) (e.g. a line still being written)\n');
  });

  it('given the head file, also reads its rotated copies', async () => {
    const { out } = await cli('traces', join(recorded, 'traces.jsonl'));
    expect(out).toBe(`${NEWER}\n${OLDER}\n`);
  });

  it('--trace prints one trace; an unknown id exits 1', async () => {
    expect((await cli('traces', recorded, '--trace', '4BF92F3577B34DA6A3CE929D0E0E4736')).out).toBe(`${OLDER}\n`);
    const missing = await cli('traces', recorded, '--trace', 'ffffffffffffffffffffffffffffffff');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/trace ffffffffffffffffffffffffffffffff not found/);
  });

  it('--limit keeps the newest traces', async () => {
    expect((await cli('traces', recorded, '--limit', '1')).out).toBe(`${NEWER}\n`);
  });

  it('usage errors exit 2 and say what is wrong; a missing path exits 1', async () => {
    expect(await cli('trace')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "trace"[\s\S]*usage: threadline traces/) });
    expect(await cli('traces', '--limit', 'x')).toMatchObject({ code: 2, err: expect.stringMatching(/--limit needs a positive integer, got "x"/) });
    expect(await cli('traces', '/nonexistent/dir')).toMatchObject({ code: 1, err: expect.stringMatching(/no such file or directory: \/nonexistent\/dir/) });
  });

  it('the built bin runs under node (ESM dist with shebang)', async () => {
    const run = await runApp(join(here, '..', 'dist', 'cli.js'), { args: ['traces', recorded, '--trace', '0af7651916cd43dd8448eb211c80319c'] });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${NEWER}\n`);
  });
});

describe('threadline traces --follow', () => {
  it('prints traces written after it started, across a half-written line and a rotation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-follow-'));
    const head = join(dir, 'traces.jsonl');
    const [first, second] = (await readFile(join(recorded, 'traces.1.jsonl'), 'utf8')).trim().split('\n') as [string, string];
    const newer = (await readFile(join(recorded, 'traces.jsonl'), 'utf8')).split('\n')[0] as string;
    await writeFile(head, `${newer}\n`); // already there: not printed again by the tail
    const controller = new AbortController();
    let out = '';
    const running = runCli(['traces', dir, '--follow', '--trace', '4bf92f3577b34da6a3ce929d0e0e4736'], {
      out: (t) => (out += t),
      err: () => {},
      env: {},
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 300));
    await appendFile(head, first.slice(0, 50));
    await new Promise((r) => setTimeout(r, 300));
    await appendFile(head, `${first.slice(50)}\n`);
    // The writer rotates: the rest of the trace lands in a new head file.
    await rename(head, join(dir, 'traces.1.jsonl'));
    await writeFile(head, `${second}\n`);
    const deadline = Date.now() + 5000;
    while (!out.includes('process orders') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    expect(await running).toBe(0);
    expect(out).toBe(`${OLDER}\n`);
  });
});

describe('log records in the CLI (files written by a real pino + winston run)', () => {
  const withLogs = join(here, 'fixtures', 'recorded-logs');
  const TRACE = '511ba58f3aac622889c345c41424cd4e';
  const INSIDE_PINO = `2026-12-02T17:51:36.685Z INFO  logs-cjs  ${TRACE} e92f995f7fa4e295  pino inside\n`;
  const INSIDE_WINSTON = `2026-12-02T17:51:36.714Z INFO  logs-cjs  ${TRACE} e92f995f7fa4e295  winston inside\n`;
  const NO_IDS = '-'.padEnd(49);

  it('threadline traces shows the lines written in each span under it', async () => {
    const { code, out } = await cli('traces', withLogs);
    expect(code).toBe(0);
    expect(out).toBe(`trace ${TRACE}  2026-12-02T17:51:36.681Z  31.1 ms  1 span
  handle order  logs-cjs  INTERNAL  |██████████████████████████████|   31.1 ms
    · 17:51:36.685 INFO  pino inside
    · 17:51:36.714 INFO  winston inside

`);
  });

  it('threadline logs prints every record with its trace and span id, oldest first; --trace and --limit narrow it', async () => {
    expect((await cli('logs', withLogs)).out).toBe(
      `${INSIDE_PINO}${INSIDE_WINSTON}2026-12-02T17:51:36.715Z INFO  logs-cjs  ${NO_IDS}  pino outside\n2026-12-02T17:51:36.715Z INFO  logs-cjs  ${NO_IDS}  winston outside\n`,
    );
    expect((await cli('logs', withLogs, '--trace', TRACE)).out).toBe(`${INSIDE_PINO}${INSIDE_WINSTON}`);
    expect((await cli('logs', withLogs, '--limit', '1')).out).toBe(`2026-12-02T17:51:36.715Z INFO  logs-cjs  ${NO_IDS}  winston outside\n`);
    expect(await cli('logs', withLogs, '--trace', 'ffffffffffffffffffffffffffffffff')).toMatchObject({ code: 1, err: expect.stringMatching(/no log records of trace/) });
  });

  it('threadline logs --follow prints records as they are written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-follow-logs-'));
    const lines = (await readFile(join(withLogs, 'logs.jsonl'), 'utf8')).trim().split('\n');
    const controller = new AbortController();
    let out = '';
    const running = runCli(['logs', dir, '--follow', '--trace', TRACE], { out: (t) => (out += t), err: () => {}, env: {}, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    await writeFile(join(dir, 'logs.jsonl'), `${lines.join('\n')}\n`);
    const deadline = Date.now() + 5000;
    while (!out.includes('winston inside') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    expect(await running).toBe(0);
    expect(out).toBe(`${INSIDE_PINO}${INSIDE_WINSTON}`);
  });
});

describe('threadline metrics (files written by a real run: four exports, three of them rotated)', () => {
  const recordedMetrics = join(here, 'fixtures', 'recorded-metrics');
  const TABLE = `service  operation                                         calls   rate/s  err %       p50       p95       p99      time  trend
shop     threadline.function checkout                         40    40.00   20.0   25.0 ms   47.5 ms   49.5 ms  834.2 ms  ▆▆█▅
shop     threadline.function search                           20    20.00    0.0   2.63 ms   5.00 ms   22.0 ms   58.2 ms  █▇▁▁
`;

  it('per operation: calls, rate, error %, percentiles from the buckets, time spent, trend; most time first; a half-written last line is skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-metrics-'));
    for (const name of ['metrics.3.jsonl', 'metrics.2.jsonl', 'metrics.1.jsonl', 'metrics.jsonl']) {
      await writeFile(join(dir, name), await readFile(join(recordedMetrics, name), 'utf8'));
    }
    await appendFile(join(dir, 'metrics.jsonl'), '{"resourceMetrics":[{"resource":');
    const { code, out, err } = await cli('metrics', dir);
    expect(code).toBe(0);
    expect(out).toBe(TABLE);
    expect(err).toBe('threadline: skipped 1 malformed line(s) (e.g. a line still being written)\n');
  });

  it('--follow prints the table again as exports arrive, until stopped', async () => {
    const controller = new AbortController();
    let out = '';
    const running = runCli(['metrics', recordedMetrics, '--follow'], { out: (t) => (out += t), err: () => {}, env: {}, signal: controller.signal });
    const deadline = Date.now() + 6000;
    while (out.split('trend').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    expect(await running).toBe(0);
    expect(out.startsWith(`${TABLE}\n${TABLE}`)).toBe(true);
  });

  it('--since keeps the recent window only; a bad duration is a usage error', async () => {
    expect(await cli('metrics', recordedMetrics, '--since', '1s')).toMatchObject({ code: 0, out: '', err: expect.stringMatching(/no duration metrics/) });
    expect(await cli('metrics', recordedMetrics, '--since', 'soon')).toMatchObject({ code: 2, err: expect.stringMatching(/--since needs a duration such as 30s, 5m or 1h/) });
  });
});
