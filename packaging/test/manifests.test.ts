import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { publishedPackageDirs as packageDirs, root } from './published.js';

interface Manifest {
  name: string;
  engines?: { node?: string };
  bin?: Record<string, string>;
  files?: string[];
  license?: string;
  repository?: { url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Manifest;
const manifests = packageDirs.map((dir) => ({ dir, manifest: read(join(dir, 'package.json')) }));

/** The manifest of a dependency as the package itself resolves it (nested copies win). */
function installed(dir: string, name: string): Manifest | undefined {
  let at = dir;
  for (;;) {
    const file = join(at, 'node_modules', name, 'package.json');
    if (existsSync(file)) return read(file);
    if (at === root) return undefined;
    at = dirname(at);
  }
}

/** Every installed package our runtime graph reaches (dependencies, transitively). */
function runtimeClosure(dir: string, manifest: Manifest): Manifest[] {
  const seen = new Map<string, Manifest>();
  const walk = (from: string, deps: Record<string, string> | undefined) => {
    for (const name of Object.keys(deps ?? {})) {
      if (name.startsWith('@threadline/') || seen.has(name)) continue;
      const dep = installed(from, name);
      if (!dep) continue;
      seen.set(name, dep);
      walk(from, dep.dependencies);
    }
  };
  walk(dir, manifest.dependencies);
  return [...seen.values()];
}

describe.each(manifests.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))('%s package.json', (_name, dir, manifest) => {
  it('declares an engines.node range inside what every runtime dependency declares', () => {
    const ours = manifest.engines?.node;
    expect(ours).toBeDefined();
    const narrower = runtimeClosure(dir, manifest)
      .filter((dep) => dep.engines?.node && !semver.subset(ours!, dep.engines.node))
      .map((dep) => `${dep.name} needs node ${dep.engines!.node}`);
    expect(narrower).toEqual([]);
  });

  it('accepts only @opentelemetry/api versions every OTel dependency accepts', () => {
    const ours = manifest.peerDependencies?.['@opentelemetry/api'];
    if (!ours) return;
    const narrower = runtimeClosure(dir, manifest)
      .map((dep) => ({ dep, range: dep.peerDependencies?.['@opentelemetry/api'] }))
      .filter(({ range }) => range && !semver.subset(ours, range))
      .map(({ dep, range }) => `${dep.name} accepts api ${range}`);
    expect(narrower).toEqual([]);
  });

  it('ships the Apache-2.0 LICENSE and says where its source and issues live', () => {
    expect(manifest.license).toBe('Apache-2.0');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(manifest.repository?.directory).toBe(`packages/${dir.split('/').pop()}`);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs?.url).toMatch(/^https:\/\//);
  });

  it('lists only files that exist once built', () => {
    expect((manifest.files ?? []).filter((entry) => !existsSync(join(dir, entry)))).toEqual([]);
  });

  it('points every bin at a source file (not a build output), so npm links it before the build', () => {
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: dir, encoding: 'utf8' }).split('\n');
    for (const target of Object.values(manifest.bin ?? {})) expect(tracked).toContain(target.replace(/^\.\//, ''));
  });
});

describe('npx threadline in a fresh clone', () => {
  it('is linked into node_modules/.bin by the install and runs', () => {
    const bin = join(root, 'node_modules', '.bin', 'threadline');
    expect(existsSync(bin)).toBe(true);
    const help = execFileSync(process.execPath, [createRequire(import.meta.url).resolve(bin), '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(help).toMatch(/usage: threadline traces/);
  });
});
