import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { warnOnce } from './warnings.js';

type Env = Record<string, string | undefined>;

/** Plugins the zero-code entry can start on its own: each patches its library when it loads. */
const PLUGINS = {
  bullmq: { packageName: '@threadline/bullmq', exportName: 'BullMQInstrumentation' },
  knex: { packageName: '@threadline/knex', exportName: 'KnexInstrumentation' },
  keyv: { packageName: '@threadline/keyv', exportName: 'KeyvInstrumentation' },
  fetch: { packageName: '@threadline/fetch', exportName: 'FetchInstrumentation' },
} as const;

export const AUTO_INSTRUMENTATIONS = ['http', ...Object.keys(PLUGINS)] as readonly string[];

function names(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/** The plugin as the app installed it (resolved from the app's directory first, then from ours). */
function loadPlugin(packageName: string): Record<string, unknown> | undefined {
  for (const from of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return createRequire(from)(packageName) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return undefined;
}

/**
 * The instrumentations OTEL_NODE_ENABLED_INSTRUMENTATIONS (default: every known one) less
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS name, for the plugins that are installed. An unknown name,
 * or an explicitly enabled plugin that is not installed, gets one warning.
 */
export function instrumentationsFromEnvironment(env: Env): { http: boolean; instrumentations: Instrumentation[] } {
  const explicit = names(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS);
  const disabled = new Set(names(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS));
  const unknown = [...explicit, ...disabled].filter((name) => !AUTO_INSTRUMENTATIONS.includes(name));
  if (unknown.length > 0) {
    warnOnce(
      'unknown-instrumentations',
      'THREADLINE_UNKNOWN_INSTRUMENTATION',
      `threadline: unknown instrumentation name(s) ${unknown.join(', ')} in OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS; known: ${AUTO_INSTRUMENTATIONS.join(', ')}`,
    );
  }
  const enabled = (explicit.length > 0 ? explicit : AUTO_INSTRUMENTATIONS).filter((name) => !disabled.has(name));
  const instrumentations: Instrumentation[] = [];
  for (const [name, plugin] of Object.entries(PLUGINS)) {
    if (!enabled.includes(name)) continue;
    const exports = loadPlugin(plugin.packageName);
    const Plugin = exports?.[plugin.exportName] as (new () => Instrumentation) | undefined;
    if (Plugin) instrumentations.push(new Plugin());
    else if (explicit.includes(name)) {
      warnOnce(`missing:${name}`, 'THREADLINE_PLUGIN_MISSING', `threadline: OTEL_NODE_ENABLED_INSTRUMENTATIONS names ${name}, but ${plugin.packageName} is not installed: npm i ${plugin.packageName}`);
    }
  }
  return { http: enabled.includes('http'), instrumentations };
}
