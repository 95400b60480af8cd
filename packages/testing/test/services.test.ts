import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { describeWithServices, freePort, requireService, requireTool, type ServiceSpec, type ToolSpec } from '../src/index.js';

/** A port nothing listens on, with the start command a reader would be shown. */
async function downService(): Promise<ServiceSpec> {
  return { name: 'Fake KV', host: '127.0.0.1', port: await freePort(), start: 'fake-kv --port N' };
}

/** A real listener on loopback: reachable as far as the check can tell. */
async function upService(): Promise<{ service: ServiceSpec; close(): void }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { service: { name: 'Live KV', host: '127.0.0.1', port, start: 'already running' }, close: () => server.close() };
}

describe('services the suites need', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('with CI=true a missing service fails, naming where it was looked for and how to start it', async () => {
    process.env.CI = 'true';
    const service = await downService();
    await expect(requireService(service, 200)).rejects.toThrow(`Fake KV is not reachable on 127.0.0.1:${service.port} and CI=true`);
    await expect(describeWithServices(describe, service)).rejects.toThrow('Start it: fake-kv --port N');
  });

  it('outside CI a missing service skips the suite and says why and how to start it', async () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const service = await downService();
    const live = await upService();
    try {
      // vitest builds a new `describe.skip` chain on each access: what matters is that it is not `describe`.
      expect(await describeWithServices(describe, live.service, service)).not.toBe(describe);
    } finally {
      live.close();
    }
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`Fake KV is not reachable on 127.0.0.1:${service.port}`));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Start it: fake-kv --port N'));
  });

  it('reachable services run the suite', async () => {
    const live = await upService();
    try {
      expect(await describeWithServices(describe, live.service)).toBe(describe);
    } finally {
      live.close();
    }
  });

  it('a program the suite starts itself: missing fails with CI=true, skips elsewhere, naming how to install it', async () => {
    const missing: ToolSpec = { name: 'Fake server', install: 'apt-get install fake-server', find: () => undefined };
    const installed: ToolSpec = { name: 'Real server', install: 'n/a', find: () => '/usr/bin/true' };
    process.env.CI = 'true';
    expect(() => requireTool(missing)).toThrow('Fake server is not installed and CI=true, where a missing service fails the run. Install it: apt-get install fake-server');
    await expect(describeWithServices(describe, installed, missing)).rejects.toThrow('Install it: apt-get install fake-server');
    expect(await describeWithServices(describe, installed)).toBe(describe);
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await describeWithServices(describe, installed, missing)).not.toBe(describe);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Install it: apt-get install fake-server'));
  });
});
