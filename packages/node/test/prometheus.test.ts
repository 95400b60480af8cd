import { createServer, type AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('prometheus: the collector is served on the scrape endpoint with no extra call', async () => {
  const port = await freePort();
  const handle = startTelemetry({ serviceName: 'prom', tracesExporter: 'none', metricsExporter: 'prometheus', prometheusPort: port, prometheusHost: '127.0.0.1', http: false, env: {} });
  try {
    const calls = handle.collector.counter({ name: 'prom.calls', unit: '{call}', description: 'calls', labelKeys: ['result'] });
    calls.bind({ result: 'ok' }).add(4);
    const deadline = Date.now() + 5000;
    let text = '';
    while (Date.now() < deadline) {
      try {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50)); // the scrape server starts asynchronously
      }
    }
    expect(text).toMatch(/^prom_calls_total\{result="ok"(,[^}]*)?\} 4$/m);
  } finally {
    await handle.shutdown();
  }
});
