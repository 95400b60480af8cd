import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The directories of the packages that get published: a private workspace (the Keyv compliance runner) is never packed. */
export const publishedPackageDirs = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { private?: boolean }).private !== true);
