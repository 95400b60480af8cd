import { readFile } from 'node:fs/promises';
import type { WorkerOptions } from '@temporalio/worker';
import { WORKFLOW_MODULE_MARKER } from './workflow/marker.js';

type BundleOption = NonNullable<WorkerOptions['workflowBundle']>;

// The entry point Temporal's bundler generates (webpack, development mode: module ids and bodies kept).
const IMPORT_INTERCEPTORS = /importInterceptors\(\)\s*\{\s*return \[([\s\S]*?)\];/;
const REQUIRE = /__webpack_require__\((?:\s*\/\*[\s\S]*?\*\/)*\s*"([^"]+)"\)/g;
const MAX_MODULES = 200;

/**
 * Whether a prebuilt workflow bundle registers the threadline workflow interceptors: the modules
 * its `importInterceptors()` lists, and what they import (a module of yours that composes ours
 * counts), are searched for our module's marker. When the bundle's layout is not the one
 * Temporal's bundler writes, the marker anywhere in the bundle is taken as enough: this check may
 * miss a mistake, never reject a bundle that works.
 */
export function bundleRegistersInterceptors(code: string): boolean {
  if (!code.includes(WORKFLOW_MODULE_MARKER)) return false;
  const list = IMPORT_INTERCEPTORS.exec(code)?.[1];
  if (list === undefined) return true;
  const queue = requiredIds(list);
  const seen = new Set(queue);
  while (queue.length > 0 && seen.size <= MAX_MODULES) {
    const body = moduleBody(code, queue.shift() as string);
    if (body === undefined) return true;
    if (body.includes(WORKFLOW_MODULE_MARKER)) return true;
    for (const id of requiredIds(body)) {
      // The SDK's own modules never import ours: skip their (large) bodies.
      if (seen.has(id) || id.includes('/@temporalio/')) continue;
      seen.add(id);
      queue.push(id);
    }
  }
  return seen.size > MAX_MODULES;
}

function requiredIds(text: string): string[] {
  return [...text.matchAll(REQUIRE)].map((match) => match[1] as string);
}

/** A module's source in the bundle: from its `/***\/ "id"` header to the next module's. */
function moduleBody(code: string, id: string): string | undefined {
  // `/***/ "id"` then a newline (webpack 5.1xx) or a colon (older webpack 5).
  let header = `\n/***/ ${JSON.stringify(id)}\n`;
  let start = code.indexOf(header);
  if (start < 0) start = code.indexOf((header = `\n/***/ ${JSON.stringify(id)}:`));
  if (start < 0) return undefined;
  const end = code.indexOf('\n/***/ "', start + header.length);
  return code.slice(start + header.length, end < 0 ? undefined : end);
}

/** The bundle's code, whether given inline or as a file. */
export async function bundleCode(bundle: BundleOption): Promise<string | undefined> {
  if ('code' in bundle && typeof bundle.code === 'string') return bundle.code;
  if ('codePath' in bundle && typeof bundle.codePath === 'string') return readFile(bundle.codePath, 'utf8');
  return undefined;
}

export function missingInterceptorsError(): Error {
  return new Error(
    '@threadline/temporal: the workflowBundle given to this Worker was built without the threadline workflow interceptors, ' +
      'so its workflows would run untraced. Build it with the plugin: bundleWorkflowCode({ workflowsPath, plugins: [plugin] }) ' +
      '(or workflowInterceptorModules: createWorkerTelemetry().interceptors.workflowModules), or give the Worker workflowsPath instead of workflowBundle.',
  );
}
