import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';

/**
 * One build recipe for every package: ESM + CommonJS with types, Node 22 target (the engines floor), and the package's
 * version stamped in as `__THREADLINE_PACKAGE_VERSION__` (the instrumentation scope version).
 */
export function packageBuild(entry: Record<string, string> = { index: 'src/index.ts' }): Options {
  const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
  return {
    define: { __THREADLINE_PACKAGE_VERSION__: JSON.stringify(version) },
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    splitting: false,
    shims: true,
  };
}
