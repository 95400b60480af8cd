import { assertNoMarkers, findMarkers, runApp, startOtlpReceiver, type OtlpReceiver } from '@threadline/testing';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';

const APP = fileURLToPath(new URL('./fixtures/privacy-app.mjs', import.meta.url));
const MARKER = 'PRIVmarkQ9z';

interface Run {
  readonly result: { body: string; seen: Array<{ url: string; authorization: string; cookie: string }> };
  /** Every byte that reached the OTLP receiver and the file exporter. */
  readonly bytes: Buffer[];
  /** The resource attribute keys the file exporter wrote for spans. */
  readonly resourceKeys: string[];
}

async function runPrivacyApp(receiver: OtlpReceiver, env: Record<string, string> = {}): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'tl-privacy-'));
  const run = await runApp(APP, {
    args: [`--db-password=${MARKER}`, MARKER],
    env: {
      PRIVACY_MARKER: MARKER,
      OTEL_TRACES_EXPORTER: 'otlp,file',
      OTEL_METRICS_EXPORTER: 'otlp,file',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      THREADLINE_FILE_DIRECTORY: dir,
      ...env,
    },
  });
  expect(run.code, run.stderr).toBe(0);
  const files = await Promise.all((await readdir(dir)).map((name) => readFile(join(dir, name))));
  expect(files.length).toBeGreaterThanOrEqual(2);
  const traces = JSON.parse((await readFile(join(dir, 'traces.jsonl'), 'utf8')).split('\n')[0] as string) as {
    resourceSpans: Array<{ resource: { attributes: Array<{ key: string }> } }>;
  };
  const resourceKeys = traces.resourceSpans[0]?.resource.attributes.map((kv) => kv.key) ?? [];
  return { result: run.result as Run['result'], bytes: [...receiver.bodies(), ...files], resourceKeys };
}

describe('privacy end to end: a marker in every input, every exported byte scanned', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(() => receiver.close());

  it('the marker reaches the app intact and no byte of OTLP or file export', async () => {
    const { result, bytes, resourceKeys } = await runPrivacyApp(receiver);
    expect(result.body).toBe('proxied 200');
    expect(result.seen[0]?.url).toContain(`token=${MARKER}`);
    expect(result.seen[1]?.url).toContain(`Access_Token=${MARKER}`);

    const server = receiver.spans().find((span) => span.kind === 'SERVER' && span.attributes['url.path'] === '/orders');
    expect(server?.attributes['url.query']).toBe('token=REDACTED&API-KEY=REDACTED&X-Amz-Signature=REDACTED&code=REDACTED&id=7');
    const client = receiver.spans().find((span) => span.kind === 'CLIENT');
    expect(client?.attributes['url.full']).toMatch(/^http:\/\/REDACTED:REDACTED@127\.0\.0\.1:\d+\/downstream\?Access_Token=REDACTED&apiKey=REDACTED&PASSWORD=REDACTED&page=2$/);
    expect([server?.attributes['app.hooked'], client?.attributes['app.hooked']]).toEqual([true, true]);
    expect(resourceKeys).toContain('process.pid');
    expect(resourceKeys).not.toContain('process.command_args');
    assertNoMarkers(bytes, [MARKER], 'exported bytes');
  }, 60_000);

  it('self-test: a planted leak and the opt-in command line are found in the exported bytes', async () => {
    const { bytes, resourceKeys } = await runPrivacyApp(receiver, { PLANT_LEAK: '1', THREADLINE_RESOURCE_COMMAND_ARGS: 'true' });
    expect(() => assertNoMarkers(bytes, [MARKER], 'exported bytes')).toThrow(/exported bytes holds \d+ private marker/);
    const spans = receiver.spans();
    expect(spans.find((span) => span.attributes['app.note'] !== undefined)?.attributes['app.note']).toBe(`copied ${MARKER}`);
    expect(resourceKeys).toContain('process.command_args');
    expect(findMarkers(bytes, [MARKER]).length).toBeGreaterThan(2);
  }, 60_000);
});

describe('options', () => {
  it('redactedQueryParams must be an array', () => {
    expect(() => startTelemetry({ redactedQueryParams: 'token' as never, env: {} })).toThrow(/invalid redactedQueryParams "token"; accepted values: an array of query parameter names/);
  });
});
