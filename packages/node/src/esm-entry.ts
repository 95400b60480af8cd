import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// An ES module's loads never reach require.cache, so an ESM app started without the loader hook
// cannot be seen loading its libraries: these checks tell when patching an ESM build was impossible.

const HOOK_FLAG = Symbol.for('threadline.node.esm-hook');
const LOADER_FLAG = /^--(experimental-)?loader(=|$)/;

/** Set by the register entry once the loader hook is registered. */
export function markEsmHookRegistered(): void {
  (globalThis as Record<symbol, unknown>)[HOOK_FLAG] = true;
}

/** The process started from an ES module (CommonJS entries set require.main). */
export function entryIsEsm(): boolean {
  return createRequire(import.meta.url).main === undefined;
}

/**
 * A loader hook is registered: ours, or a loader flag. A hook the app registers with its own
 * module.register() call leaves no trace (import-in-the-middle keeps its state private); the
 * libraries it patches are then skipped as patched.
 */
export function esmHookPresent(): boolean {
  if ((globalThis as Record<symbol, unknown>)[HOOK_FLAG] === true) return true;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((flag) => LOADER_FLAG.test(flag));
}

function hasImportCondition(exports: unknown): boolean {
  if (exports === null || typeof exports !== 'object') return false;
  return Object.entries(exports as Record<string, unknown>).some(([key, value]) => key === 'import' || key === 'module' || hasImportCondition(value));
}

/** The package as installed for the app (resolved from the entry's directory) has an ES module build. */
export function installedWithEsmBuild(packageName: string): boolean {
  const appDirectory = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
  const lookup = createRequire(join(appDirectory, 'noop.js')).resolve.paths(packageName) ?? [];
  for (const directory of lookup) {
    const manifestPath = join(directory, packageName, 'package.json');
    if (!existsSync(manifestPath)) continue;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { type?: string; module?: string; exports?: unknown };
      return manifest.type === 'module' || typeof manifest.module === 'string' || hasImportCondition(manifest.exports);
    } catch {
      return false;
    }
  }
  return false;
}
