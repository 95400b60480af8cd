import { createRequire, syncBuiltinESMExports } from 'node:module';

const PATCHED_BUILTINS = ['http', 'https'];

/**
 * Core-module instrumentations patch on `require`, which an ESM app never calls: require the
 * modules here so the patch happens, then refresh ESM named exports (`import { get } from
 * 'node:http'`) to the patched (or, after shutdown, restored) functions.
 */
export function syncPatchedBuiltins(): void {
  const load = createRequire(import.meta.url);
  for (const name of PATCHED_BUILTINS) load(name);
  syncBuiltinESMExports();
}
