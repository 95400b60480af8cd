import type { Options } from 'tsup';

/** One build recipe for every package: ESM + CommonJS with types, Node 20 target. */
export function packageBuild(entry: Record<string, string> = { index: 'src/index.ts' }): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    shims: true,
  };
}
