import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEMCONV_METRIC_SPEC, semconvIndex } from '@threadline/testing';
import { describe, expect, it } from 'vitest';
import { ATTR, ATTRIBUTE_CATALOG, METRICS, NAME_REGISTRY, OWNED_PREFIX, attributeInfo, metricStability, withNamesSection } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const index = semconvIndex();

function semconvAttribute(name: string) {
  if (name.endsWith('<key>')) return index.templates.get(name.slice(0, -'<key>'.length));
  return index.attributes.get(name) ?? index.events.get(name);
}

describe('naming registry', () => {
  it('tags every attribute and event name as the installed semantic-conventions does; owned ones live under threadline.*', () => {
    const wrong: string[] = [];
    for (const info of ATTRIBUTE_CATALOG) {
      const semconv = semconvAttribute(info.name);
      if (semconv?.deprecated) wrong.push(`${info.name}: deprecated (${semconv.deprecated})`);
      else if (semconv && semconv.stability !== info.stability) wrong.push(`${info.name}: tagged ${info.stability}, semconv ${semconv.stability}`);
      else if (!semconv && (info.stability !== 'owned' || !info.name.startsWith(OWNED_PREFIX))) wrong.push(`${info.name}: not in semconv ${index.version}, so it must be owned and under ${OWNED_PREFIX}`);
    }
    expect(wrong).toEqual([]);
  });

  it('tags every metric as semconv does, with one unit and instrument per name across packages', () => {
    const wrong: string[] = [];
    const byName = new Map<string, string>();
    for (const pkg of NAME_REGISTRY) {
      for (const m of pkg.metrics) {
        const semconv = index.metrics.get(m.name);
        const tag = metricStability(m.name);
        if (semconv?.deprecated) wrong.push(`${m.name}: deprecated (${semconv.deprecated})`);
        else if (semconv && semconv.stability !== tag) wrong.push(`${m.name}: tagged ${tag}, semconv ${semconv.stability}`);
        else if (!semconv && (tag !== 'owned' || !m.name.startsWith(OWNED_PREFIX))) wrong.push(`${m.name}: not in semconv, so it must be owned and under ${OWNED_PREFIX}`);
        const spec = SEMCONV_METRIC_SPEC[m.name];
        if (semconv && !spec) wrong.push(`${m.name}: no unit / instrument in SEMCONV_METRIC_SPEC`);
        if (spec && (spec.unit !== m.unit || spec.instrument !== m.instrument)) wrong.push(`${m.name}: ${m.unit} ${m.instrument}, semconv says ${spec.unit} ${spec.instrument}`);
        const shape = `${m.unit} ${m.instrument}`;
        if ((byName.get(m.name) ?? shape) !== shape) wrong.push(`${m.name}: ${shape} here, ${byName.get(m.name)} elsewhere`);
        byName.set(m.name, shape);
        for (const use of m.attributes) if (!attributeInfo(use.name)) wrong.push(`${m.name}: attribute ${use.name} not in the catalogue`);
      }
      for (const span of pkg.spans) for (const use of span.attributes) if (!attributeInfo(use.name)) wrong.push(`${span.pattern}: attribute ${use.name} not in the catalogue`);
      for (const event of pkg.events) if (!attributeInfo(event.name)) wrong.push(`event ${event.name} not in the catalogue`);
    }
    expect(wrong).toEqual([]);
  });

  it('covers every name in ATTR and METRICS (a name outside the registry cannot be emitted unnoticed)', () => {
    expect(Object.values(ATTR).filter((name) => !attributeInfo(name))).toEqual([]);
    const registered = new Set(NAME_REGISTRY.flatMap((pkg) => pkg.metrics.map((m) => m.name)));
    expect(Object.values(METRICS).map((m) => m.name).filter((name) => !registered.has(name))).toEqual([]);
    for (const pkg of NAME_REGISTRY) {
      for (const m of pkg.metrics) {
        const constant = Object.values(METRICS).find((c) => c.name === m.name);
        if (constant) expect(`${m.name} ${constant.unit} ${constant.instrument}`).toBe(`${m.name} ${m.unit} ${m.instrument}`);
      }
    }
  });

  it("every package README's Names section is the registry's (npm run names regenerates it)", () => {
    for (const pkg of NAME_REGISTRY) {
      const file = join(root, 'packages', pkg.package.replace('@threadline/', ''), 'README.md');
      const readme = readFileSync(file, 'utf8');
      expect(withNamesSection(readme, pkg), `${file} drifted from the registry: run npm run names`).toBe(readme);
    }
  });

  it('the README check fails when a table drifts', () => {
    const pkg = NAME_REGISTRY.find((entry) => entry.package === '@threadline/knex')!;
    const readme = readFileSync(join(root, 'packages', 'knex', 'README.md'), 'utf8');
    const drifted = readme.replace('`db.client.connection.limit`', '`db.client.connection.max`');
    expect(drifted).not.toBe(readme);
    expect(withNamesSection(drifted, pkg)).not.toBe(drifted);
  });
});
