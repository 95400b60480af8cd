import { sep } from 'node:path';
import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { entryIsEsm, esmHookPresent, installedWithEsmBuild } from './esm-entry.js';
import { warnOnce } from './warnings.js';

/** What InstrumentationBase keeps per patched module (internal fields, read only). */
interface ModuleDefinition {
  readonly name: string;
  readonly moduleExports?: unknown;
  readonly moduleVersion?: string;
  readonly files?: readonly { readonly moduleExports?: unknown }[];
}

const START_ESM = 'node --import @threadline/node/register app.mjs';

function moduleDefinitions(instrumentation: Instrumentation): readonly ModuleDefinition[] {
  const modules = (instrumentation as unknown as { _modules?: unknown })._modules;
  return Array.isArray(modules) ? (modules as ModuleDefinition[]) : [];
}

function loadedPackages(): Set<string> {
  const cache = createRequire(import.meta.url).cache;
  const names = new Set<string>();
  const marker = `${sep}node_modules${sep}`;
  for (const file of Object.keys(cache)) {
    const at = file.lastIndexOf(marker);
    if (at < 0) continue;
    const parts = file.slice(at + marker.length).split(sep);
    names.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return names;
}

/** Checks once after the first span export interval (at least 1 s), or at shutdown if sooner. */
export function scheduleUnpatchedCheck(instrumentations: readonly Instrumentation[], delayMillis: number): () => void {
  let done = false;
  const check = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    warnUnpatched(instrumentations);
  };
  const timer = setTimeout(check, Math.max(1000, delayMillis));
  timer.unref();
  return check;
}

function isPatched(definition: ModuleDefinition): boolean {
  return definition.moduleExports !== undefined || (definition.files ?? []).some((file) => file.moduleExports !== undefined);
}

/**
 * One warning per module-patching instrumentation whose library its hook never saw: loaded through
 * require.cache but unpatched (required before startTelemetry, or an ESM app without the loader
 * hook), or, in an ESM app without the hook, installed with an ES module build the app's imports
 * would take (those loads leave no trace to check).
 */
export function warnUnpatched(instrumentations: readonly Instrumentation[]): void {
  const loaded = loadedPackages();
  const esmWithoutHook = entryIsEsm() && !esmHookPresent();
  for (const instrumentation of instrumentations) {
    if ((instrumentation as { isEnabled?: () => boolean }).isEnabled?.() === false) continue;
    for (const definition of moduleDefinitions(instrumentation)) {
      if (definition.moduleVersion !== undefined || isPatched(definition)) continue;
      const what = loaded.has(definition.name)
        ? `${definition.name} is loaded but ${instrumentation.instrumentationName} never patched it`
        : esmWithoutHook && installedWithEsmBuild(definition.name)
          ? `the app is an ES module started without the loader hook, so ${instrumentation.instrumentationName} cannot patch the ES module build of ${definition.name} it imports`
          : undefined;
      if (what === undefined) continue;
      warnOnce(
        `unpatched:${instrumentation.instrumentationName}:${definition.name}`,
        'THREADLINE_NOT_PATCHED',
        `threadline: ${what}, so it records nothing. ` +
          `Start an ESM app with \`${START_ESM}\` (a CommonJS one with \`node --require @threadline/node/register app.js\`, ` +
          `or call startTelemetry before the first require of ${definition.name}), or use the plugin's explicit wrapper.`,
      );
    }
  }
}
