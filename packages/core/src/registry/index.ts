import { ATTRIBUTE_CATALOG } from './attributes.js';
import { BULLMQ_NAMES } from './packages/bullmq.js';
import { CORE_NAMES } from './packages/core.js';
import { FETCH_NAMES } from './packages/fetch.js';
import { KEYV_NAMES } from './packages/keyv.js';
import { KNEX_NAMES } from './packages/knex.js';
import { PG_CDC_NAMES } from './packages/pg-cdc.js';
import { TEMPORAL_NAMES } from './packages/temporal.js';
import type { NameInfo, PackageNames } from './types.js';

export { CONVENTION, EXCEPTION_EVENT } from './conventions.js';
export { ATTRIBUTE_CATALOG, SEMCONV_METRICS } from './attributes.js';
export { metricStability, namesMarkdown, NAMES_BEGIN, NAMES_END, withNamesSection } from './markdown.js';
export type { AttributeUse, EventEntry, MetricEntry, NameInfo, PackageNames, Requirement, SpanEntry, Stability } from './types.js';

/** Every package's names: the naming registry. READMEs and the conformance check read it. */
export const NAME_REGISTRY: readonly PackageNames[] = Object.freeze([CORE_NAMES, BULLMQ_NAMES, KNEX_NAMES, KEYV_NAMES, FETCH_NAMES, TEMPORAL_NAMES, PG_CDC_NAMES]);

/** The namespace every threadline-invented name lives in. */
export const OWNED_PREFIX = 'threadline.';

const byName = new Map(ATTRIBUTE_CATALOG.map((info) => [info.name, info]));

/** The catalogue entry of an attribute or event name (`http.request.header.x` finds its template). */
export function attributeInfo(name: string): NameInfo | undefined {
  const exact = byName.get(name);
  if (exact) return exact;
  for (const prefix of ['http.request.header.', 'http.response.header.']) {
    if (name.startsWith(prefix)) return byName.get(`${prefix}<key>`);
  }
  return undefined;
}

/** The registry entry of a package by its npm name. */
export function packageNames(pkg: string): PackageNames | undefined {
  return NAME_REGISTRY.find((entry) => entry.package === pkg);
}
