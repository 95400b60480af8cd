import { trace } from '@opentelemetry/api';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';
import { parseLines } from '../src/viewer/spans.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function scrape(port: number): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50)); // the scrape server starts asynchronously
    }
  }
}

it('prometheus: the collector is served on the scrape endpoint with no extra call, and scrapes are not traced', async () => {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tl-prom-'));
  const handle = startTelemetry({
    serviceName: 'prom',
    tracesExporter: 'file',
    fileDirectory: dir,
    metricsExporter: 'prometheus',
    prometheusPort: port,
    prometheusHost: '127.0.0.1',
    env: {},
  });
  try {
    const calls = handle.collector.counter({ name: 'prom.calls', unit: '{call}', description: 'calls', labelKeys: ['result'] });
    calls.bind({ result: 'ok' }).add(4);
    expect(await scrape(port)).toMatch(/^prom_calls_total\{result="ok"(,[^}]*)?\} 4$/m);
    trace.getTracer('t').startSpan('app work').end();
  } finally {
    await handle.shutdown();
  }
  const { spans } = parseLines(await readFile(join(dir, 'traces.jsonl'), 'utf8'));
  expect(spans.map((s) => s.name)).toEqual(['app work']);
});
