import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/workflow.js in the published package; src/workflow/index.ts when run from source (tests).
const CANDIDATES = ['workflow.js', join('workflow', 'index.ts')];

/** The workflow-interceptor module Worker.create bundles; throws at startup when it is missing. */
export function workflowModulePath(override?: string): string {
  if (override !== undefined) {
    if (typeof override !== 'string' || !existsSync(override)) {
      throw new Error(`@threadline/temporal: workflowModule "${String(override)}" does not exist; pass an absolute path to a module exporting interceptors()`);
    }
    return override;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of CANDIDATES) {
    const path = join(here, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`@threadline/temporal: the workflow interceptor module is missing next to ${here} (looked for ${CANDIDATES.join(', ')}); reinstall or rebuild the package`);
}
