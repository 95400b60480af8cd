import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeOtlpJsonSpans, type OtlpJsonSpan } from '@threadline/core';
import { runApp } from '@threadline/testing';
import { describe, expect, it } from 'vitest';

// Keyv 6 ships an ES module build that an ESM app imports: without the loader hook nothing of it
// reaches require.cache, so only the entry kind and the installed package can tell it was missed.
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const installed = {
  keyv: join(repo, 'packages/keyv/node_modules/keyv'),
  '@threadline/node': join(repo, 'packages/node'),
  '@threadline/keyv': join(repo, 'packages/keyv'),
  '@opentelemetry/api': join(repo, 'node_modules/@opentelemetry/api'),
};

// Keyv spans need an active parent (the plugin's default `spans: 'with-parent'`).
const KEYV_CALLS = `const cache = new Keyv();\nawait trace.getTracer('app').startActiveSpan('request', async (span) => {\n  await cache.set('k', 'v');\n  await cache.get('k');\n  span.end();\n});\n`;
const STARTED_IN_CODE = `import { KeyvInstrumentation } from '@threadline/keyv';\nimport { startTelemetry } from '@threadline/node';\nconst handle = startTelemetry({ instrumentations: [new KeyvInstrumentation()], http: false });\n`;

const APPS = {
  // startTelemetry first, then a dynamic import: the ESM build loads after the plugin registered.
  'esm-started-in-code.mjs': `import { trace } from '@opentelemetry/api';\n${STARTED_IN_CODE}const { Keyv } = await import('keyv');\n${KEYV_CALLS}await handle.shutdown();\n`,
  'esm-zero-code.mjs': `import { trace } from '@opentelemetry/api';\nimport { Keyv } from 'keyv';\n${KEYV_CALLS}`,
  'cjs-started-in-code.cjs': `const { trace } = require('@opentelemetry/api');\nconst { KeyvInstrumentation } = require('@threadline/keyv');\nconst { startTelemetry } = require('@threadline/node');\nconst handle = startTelemetry({ instrumentations: [new KeyvInstrumentation()], http: false });\nconst { Keyv } = require('keyv');\n(async () => {\n${KEYV_CALLS}await handle.shutdown();\n})();\n`,
} as const;

/** A scratch app outside the monorepo with keyv 6 and the two plugins installed (as symlinks). */
function scratchApp(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tl-esm-app-'));
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ name: 'esm-app', private: true }));
  for (const [name, target] of Object.entries(installed)) {
    const link = join(directory, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  for (const [file, source] of Object.entries(APPS)) writeFileSync(join(directory, file), source);
  return directory;
}

async function run(file: keyof typeof APPS, nodeOptions = '') {
  const directory = scratchApp();
  const traces = join(directory, 'telemetry');
  const app = await runApp(join(directory, file), {
    cwd: directory,
    env: { NODE_OPTIONS: nodeOptions, THREADLINE_FILE_DIRECTORY: traces, OTEL_METRICS_EXPORTER: 'none', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'keyv' },
  });
  let spans: OtlpJsonSpan[] = [];
  try {
    spans = readFileSync(join(traces, 'traces.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => decodeOtlpJsonSpans(JSON.parse(line)));
  } catch {
    // no file: nothing was exported
  }
  return { app, kvSpans: spans.filter((span) => span.name.startsWith('set') || span.name.startsWith('get')) };
}

describe('an ESM app that imports an ES-module build without the loader hook', () => {
  it('gets one warning naming the register entry (and, as the warning says, no keyv spans)', async () => {
    const { app, kvSpans } = await run('esm-started-in-code.mjs');
    expect(app.code, app.stderr).toBe(0);
    expect(kvSpans).toEqual([]);
    expect(app.stderr.match(/THREADLINE_NOT_PATCHED/g) ?? [], app.stderr).toHaveLength(1);
    expect(app.stderr).toMatch(/ES module started without the loader hook, so @threadline\/keyv cannot patch the ES module build of keyv.*node --import @threadline\/node\/register app\.mjs/);
  });

  it('started with --import @threadline/node/register: keyv spans and no warning', async () => {
    const { app, kvSpans } = await run('esm-zero-code.mjs', '--import @threadline/node/register');
    expect(app.code, app.stderr).toBe(0);
    expect(kvSpans.map((span) => span.name).sort()).toEqual(['get', 'set']);
    expect(app.stderr).not.toContain('THREADLINE_NOT_PATCHED');
  });

  it('a CommonJS app that starts telemetry before require: keyv spans and no warning', async () => {
    const { app, kvSpans } = await run('cjs-started-in-code.cjs');
    expect(app.code, app.stderr).toBe(0);
    expect(kvSpans.length, app.stderr).toBe(2);
    expect(app.stderr).not.toContain('THREADLINE_NOT_PATCHED');
  });
});
