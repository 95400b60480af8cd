import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type SemconvStability = 'stable' | 'incubating';

export interface SemconvName {
  readonly stability: SemconvStability;
  /** The `@deprecated` note of the installed package, when the name is deprecated. */
  readonly deprecated?: string;
}

/** What the installed `@opentelemetry/semantic-conventions` defines: names, stability, deprecations, enum values. */
export interface SemconvIndex {
  readonly version: string;
  readonly attributes: ReadonlyMap<string, SemconvName>;
  /** Template attributes (`http.request.header.<key>`) by prefix. */
  readonly templates: ReadonlyMap<string, SemconvName>;
  readonly metrics: ReadonlyMap<string, SemconvName>;
  readonly events: ReadonlyMap<string, SemconvName>;
  /** Values semconv lists for an enum attribute. */
  readonly values: ReadonlyMap<string, ReadonlySet<string>>;
  /** First segments of every semconv name (`db`, `messaging`, `http`, ...): a name there must be a semconv name. */
  readonly namespaces: ReadonlySet<string>;
}

const DECLARATION = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*declare const (\w+):/g;

/** `@deprecated` notes by constant name, read from the package's type declarations (the JS has none). */
function deprecations(dist: string): Map<string, string> {
  const notes = new Map<string, string>();
  for (const file of ['stable_attributes', 'experimental_attributes', 'stable_metrics', 'experimental_metrics', 'stable_events', 'experimental_events']) {
    let text: string;
    try {
      text = readFileSync(join(dist, `${file}.d.cts`), 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(DECLARATION)) {
      const doc = match[1] as string;
      const at = doc.indexOf('@deprecated');
      if (at !== -1) notes.set(match[2] as string, doc.slice(at + '@deprecated'.length).replace(/\s*\*\s*/g, ' ').trim());
    }
  }
  return notes;
}

let cached: SemconvIndex | undefined;

/** Reads the installed package once per process. */
export function semconvIndex(): SemconvIndex {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const main = require.resolve('@opentelemetry/semantic-conventions');
  const dist = dirname(main);
  const stable = require('@opentelemetry/semantic-conventions') as Record<string, unknown>;
  const incubating = require('@opentelemetry/semantic-conventions/incubating') as Record<string, unknown>;
  const notes = deprecations(dist);
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // The version only labels the report.
  }

  const attributes = new Map<string, SemconvName>();
  const templates = new Map<string, SemconvName>();
  const metrics = new Map<string, SemconvName>();
  const events = new Map<string, SemconvName>();
  const values = new Map<string, Set<string>>();
  const namespaces = new Set<string>();
  const entry = (key: string): SemconvName => {
    const note = notes.get(key);
    return { stability: key in stable ? 'stable' : 'incubating', ...(note === undefined ? {} : { deprecated: note }) };
  };
  for (const [key, value] of Object.entries(incubating)) {
    if (key.startsWith('ATTR_') && typeof value === 'function') {
      const prefix = String((value as (k: string) => string)(''));
      templates.set(prefix, entry(key));
      namespaces.add(prefix.split('.')[0] as string);
    } else if (typeof value !== 'string') {
      continue;
    } else if (key.startsWith('ATTR_')) {
      attributes.set(value, entry(key));
      namespaces.add(value.split('.')[0] as string);
    } else if (key.startsWith('METRIC_')) {
      metrics.set(value, entry(key));
      namespaces.add(value.split('.')[0] as string);
    } else if (key.startsWith('EVENT_')) {
      events.set(value, entry(key));
    }
  }
  for (const [key, value] of Object.entries(incubating)) {
    const at = key.indexOf('_VALUE_');
    if (at === -1 || typeof value !== 'string') continue;
    const attribute = incubating[`ATTR_${key.slice(0, at)}`];
    if (typeof attribute !== 'string') continue;
    let set = values.get(attribute);
    if (!set) values.set(attribute, (set = new Set()));
    set.add(value);
  }
  cached = { version, attributes, templates, metrics, events, values, namespaces };
  return cached;
}
