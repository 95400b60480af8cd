import { attributeInfo, NAME_REGISTRY, OWNED_PREFIX, type AttributeUse, type MetricEntry, type PackageNames, type SpanEntry } from '@threadline/core';
import type { RecordedMetric, RecordedSpan } from './recorder.js';
import { semconvIndex, type SemconvIndex, type SemconvName } from './semconv-index.js';
import { SEMCONV_METRIC_SPEC } from './semconv-metric-spec.js';

export interface Violation {
  /** `span <scope> "<name>"`, `metric <name>`, `event <name>`. */
  readonly where: string;
  readonly name: string;
  readonly problem: string;
}

export interface CheckInput {
  readonly spans: readonly RecordedSpan[];
  readonly metrics: readonly RecordedMetric[];
  readonly optIns: ReadonlySet<string>;
}

/** Attributes whose values semconv enumerates and threadline must keep to (plus the registry's documented custom values). */
const ENUMERATED = ['db.system.name', 'messaging.system.name', 'messaging.operation.type', 'db.client.connection.state', 'http.request.method'];

/** Names tests make up (their own instruments, attributes their hooks add), out of the check. */
const TEST_PREFIX = 'test.';

function patternRegex(pattern: string): RegExp {
  let source = '';
  for (const part of pattern.split(/(\s?[:]?\{[^}]+\})/)) {
    if (!part) continue;
    const placeholder = /^(\s?)(:?)\{[^}]+\}$/.exec(part);
    if (!placeholder) source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (placeholder[1] || placeholder[2]) source += `(?:${placeholder[1] || placeholder[2]}.+)?`;
    else source += '.+';
  }
  return new RegExp(`^${source}$`);
}

function semconvAttribute(index: SemconvIndex, name: string): SemconvName | undefined {
  const exact = index.attributes.get(name) ?? index.events.get(name);
  if (exact) return exact;
  for (const [prefix, info] of index.templates) if (name.startsWith(prefix) && name.length > prefix.length) return info;
  return undefined;
}

/** Checks one name against semconv and the registry's catalogue: the rules every attribute and event name follows. */
function nameProblem(index: SemconvIndex, name: string, kind: 'attribute' | 'metric'): string | undefined {
  const semconv = kind === 'metric' ? index.metrics.get(name) : semconvAttribute(index, name);
  if (semconv?.deprecated) return `deprecated in semantic-conventions ${index.version}: ${semconv.deprecated}`;
  if (semconv) {
    if (kind === 'metric') return undefined;
    const info = attributeInfo(name);
    if (!info) return `semconv ${semconv.stability} name missing from the registry's attribute catalogue`;
    if (info.stability !== semconv.stability) return `registry tags it ${info.stability}, semconv ${index.version} says ${semconv.stability}`;
    return undefined;
  }
  if (name.startsWith(OWNED_PREFIX)) {
    if (kind === 'attribute' && !attributeInfo(name)) return 'threadline name missing from the registry';
    return undefined;
  }
  const namespace = name.split('.')[0] as string;
  if (index.namespaces.has(namespace)) return `invented name inside the semconv namespace "${namespace}" (not in semantic-conventions ${index.version})`;
  return `custom name outside the owned namespace "${OWNED_PREFIX}*"`;
}

function valueProblem(index: SemconvIndex, name: string, value: unknown, custom: ReadonlySet<string>): string | undefined {
  if (!ENUMERATED.includes(name) || typeof value !== 'string') return undefined;
  const known = index.values.get(name);
  if (!known || known.has(value) || custom.has(value)) return undefined;
  return `value "${value}" is neither a semconv value nor a documented custom value in the registry`;
}

function checkAttributes(
  out: Violation[],
  index: SemconvIndex,
  where: string,
  attributes: Readonly<Record<string, unknown>>,
  uses: readonly AttributeUse[] | undefined,
  optIns: ReadonlySet<string>,
  customValues: ReadonlySet<string>,
): void {
  const byName = new Map((uses ?? []).map((use) => [use.name.replace(/<key>$/, ''), use]));
  const useOf = (name: string) => byName.get(name) ?? [...byName].find(([prefix]) => prefix.endsWith('.') && name.startsWith(prefix))?.[1];
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith(TEST_PREFIX)) continue;
    const problem = nameProblem(index, name, 'attribute') ?? valueProblem(index, name, value, customValues);
    if (problem) {
      out.push({ where, name, problem });
      continue;
    }
    if (!uses) continue;
    const use = useOf(name);
    if (!use) out.push({ where, name, problem: 'attribute not listed for this span / metric in the registry' });
    else if (use.requirement === 'opt_in' && !optIns.has(use.name) && !optIns.has(name)) out.push({ where, name, problem: 'Opt-In attribute emitted without the test opting in' });
  }
  for (const use of uses ?? []) {
    if (use.requirement === 'required' && !(use.name in attributes)) out.push({ where, name: use.name, problem: 'Required attribute missing' });
  }
}

function customValuesOf(entries: readonly PackageNames[]): Set<string> {
  return new Set(entries.flatMap((entry) => Object.values(entry.customValues ?? {}).flat()));
}

function checkSpan(out: Violation[], index: SemconvIndex, span: RecordedSpan, optIns: ReadonlySet<string>): void {
  if (!span.scope?.startsWith('@threadline/')) return;
  const where = `span ${span.scope} "${span.name}" (${span.source})`;
  const entry = NAME_REGISTRY.find((pkg) => pkg.scopes.includes(span.scope as string));
  if (!entry) {
    out.push({ where, name: span.scope, problem: 'instrumentation scope not in the registry' });
    return;
  }
  const matches = entry.spans.filter((s) => patternRegex(s.pattern).test(span.name));
  const shape: SpanEntry | undefined = matches.find((s) => s.kind === span.kind);
  if (!shape) {
    out.push({ where, name: span.name, problem: matches.length > 0 ? `span kind ${span.kind} is not the registry's ${matches.map((s) => s.kind).join(' / ')}` : 'span name matches no registry pattern' });
    return;
  }
  const custom = customValuesOf([entry]);
  checkAttributes(out, index, where, span.attributes, shape.callerAttributes ? undefined : shape.attributes, optIns, custom);
  if (shape.callerAttributes) {
    for (const use of shape.attributes) if (use.requirement === 'required' && !(use.name in span.attributes)) out.push({ where, name: use.name, problem: 'Required attribute missing' });
  }
  for (const event of span.events) {
    const eventEntry = entry.events.find((e) => e.name === event.name);
    const eventWhere = `event "${event.name}" on ${where}`;
    if (!eventEntry) {
      out.push({ where: eventWhere, name: event.name, problem: 'event not in the registry' });
      continue;
    }
    const problem = nameProblem(index, event.name, 'attribute');
    if (problem) out.push({ where: eventWhere, name: event.name, problem });
    checkAttributes(out, index, eventWhere, event.attributes, eventEntry.attributes, optIns, custom);
  }
}

function checkMetric(out: Violation[], index: SemconvIndex, metric: RecordedMetric, optIns: ReadonlySet<string>): void {
  // Other instrumentations' metrics (contrib http, the SDK's own) are theirs to name.
  if (metric.name.startsWith(TEST_PREFIX) || (metric.scope !== undefined && !metric.scope.startsWith('@threadline/'))) return;
  const owners = NAME_REGISTRY.filter((pkg) => pkg.metrics.some((m) => m.name === metric.name));
  if (owners.length === 0 && NAME_REGISTRY.some((pkg) => pkg.passthroughMetricPrefixes?.some((p) => metric.name.startsWith(p)))) return;
  const where = `metric ${metric.name} (${metric.source})`;
  const problem = nameProblem(index, metric.name, 'metric');
  if (problem) {
    out.push({ where, name: metric.name, problem });
    return;
  }
  const entries = owners.flatMap((pkg) => pkg.metrics.filter((m) => m.name === metric.name)) as MetricEntry[];
  const entry = entries[0];
  if (!entry) {
    out.push({ where, name: metric.name, problem: 'metric not in the registry' });
    return;
  }
  // A semconv metric follows the semconv model; an owned one, the registry.
  const expected = SEMCONV_METRIC_SPEC[metric.name] ?? entry;
  if (index.metrics.has(metric.name) && !SEMCONV_METRIC_SPEC[metric.name]) out.push({ where, name: metric.name, problem: 'semconv metric without a unit / instrument in SEMCONV_METRIC_SPEC' });
  if (metric.unit !== undefined && metric.unit !== expected.unit) out.push({ where, name: metric.name, problem: `unit "${metric.unit}", semconv / the registry says "${expected.unit}"` });
  if (metric.instrument !== undefined && metric.instrument !== expected.instrument) out.push({ where, name: metric.name, problem: `instrument ${metric.instrument}, semconv / the registry says ${expected.instrument}` });
  // A metric several packages record: any package's attribute list applies, Required is what all require.
  const uses = new Map<string, AttributeUse>();
  for (const e of entries) for (const use of e.attributes) if (!uses.has(use.name) || use.requirement !== 'required') uses.set(use.name, use);
  const required = entries.map((e) => new Set(e.attributes.filter((u) => u.requirement === 'required').map((u) => u.name)));
  const merged = [...uses.values()].map((use) =>
    use.requirement === 'required' && !required.every((set) => set.has(use.name)) ? { ...use, requirement: 'conditionally_required' as const } : use,
  );
  checkAttributes(out, index, where, metric.attributes, merged, optIns, customValuesOf(owners));
}

/** Every violation in what was recorded; empty when everything conforms. */
export function checkTelemetry(input: CheckInput, index: SemconvIndex = semconvIndex()): Violation[] {
  const out: Violation[] = [];
  for (const span of input.spans) checkSpan(out, index, span, input.optIns);
  for (const metric of input.metrics) checkMetric(out, index, metric, input.optIns);
  const unique = new Map(out.map((v) => [`${v.where}\u0000${v.name}\u0000${v.problem}`, v]));
  return [...unique.values()];
}

/** The violations as a Markdown table. */
export function violationTable(violations: readonly Violation[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const rows = violations.map((v) => `| ${escape(v.where)} | \`${escape(v.name)}\` | ${escape(v.problem)} |`);
  return ['| where | name | problem |', '|---|---|---|', ...rows].join('\n');
}
