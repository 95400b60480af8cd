import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { expectAppUnaffected } from './support/exporter-down.js';

it('exporter port refuses connections: app unaffected, queue bounded, drops counted and reported once', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  const { exportFailed } = await expectAppUnaffected(`http://127.0.0.1:${port}`);
  expect(exportFailed).toBeGreaterThan(0);
});
