import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackageDirs as packageDirs, root } from './published.js';

interface Manifest {
  name: string;
  exports: Record<string, { import?: { types?: string }; require?: { types?: string } } | string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Bare modules a declaration file needs, following its relative imports (shared chunks). */
function bareImports(file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier).replace(/\.(c?js)$/, (_m, ext: string) => (ext === 'cjs' ? '.d.cts' : '.d.ts'));
      for (const name of bareImports(target, seen)) found.add(name);
    } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
      found.add(packageName(specifier));
    }
  }
  return found;
}

/** A module a type-checker can load: it ships types, or its @types package is a dependency. */
function typesReachable(dir: string, manifest: Manifest, name: string): boolean {
  let at = dir;
  for (;;) {
    const file = join(at, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      const dep = JSON.parse(readFileSync(file, 'utf8')) as { types?: string; typings?: string; exports?: unknown };
      if (dep.types || dep.typings || JSON.stringify(dep.exports ?? '').includes('types') || existsSync(join(at, 'node_modules', name, 'index.d.ts'))) return true;
      break;
    }
    if (at === root) break;
    at = dirname(at);
  }
  const typesPackage = `@types/${name.replace(/^@/, '').replace('/', '__')}`;
  return manifest.dependencies?.[typesPackage] !== undefined || manifest.peerDependencies?.[typesPackage] !== undefined;
}

describe.each(packageDirs.map((dir) => [dir.split('/').pop()!, dir] as const))('%s declarations', (_name, dir) => {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const entries = Object.entries(manifest.exports).filter(([, value]) => typeof value === 'object');

  it.each(entries.map(([subpath, value]) => [subpath, value] as const))('%s type-checks with only what installing it brings', (subpath, value) => {
    if (typeof value === 'string') return;
    const problems: string[] = [];
    for (const types of [value.import?.types, value.require?.types]) {
      if (!types) continue;
      for (const name of bareImports(join(dir, types))) {
        const required = manifest.dependencies?.[name] !== undefined || (manifest.peerDependencies?.[name] !== undefined && !manifest.peerDependenciesMeta?.[name]?.optional);
        const optionalPeer = manifest.peerDependenciesMeta?.[name]?.optional === true;
        // The root entry must load without optional peers; a subpath may be the one that needs them.
        if (!required && !(optionalPeer && subpath !== '.')) problems.push(`${types} imports ${name}, which installing ${manifest.name} does not bring`);
        else if (!typesReachable(dir, manifest, name)) problems.push(`${types} imports ${name}, which ships no types (add @types/${name} to dependencies)`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});
