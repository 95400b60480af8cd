import { attributeInfo } from './index.js';
import { SEMCONV_METRICS } from './attributes.js';
import type { AttributeUse, PackageNames, Stability } from './types.js';

/** Markers around the generated section of a package README. */
export const NAMES_BEGIN = '<!-- names:begin (generated from the naming registry in @threadline/core: npm run names) -->';
export const NAMES_END = '<!-- names:end -->';

const TAG: Record<Stability, string> = { stable: 'stable semconv', incubating: 'incubating semconv', owned: 'threadline' };

export function metricStability(name: string): Stability {
  return SEMCONV_METRICS[name] ?? 'owned';
}

function tagOf(name: string): string {
  const info = attributeInfo(name);
  return info ? TAG[info.stability] : '?';
}

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function level(use: AttributeUse): string {
  const name = { required: 'Required', conditionally_required: 'Conditionally Required', recommended: 'Recommended', opt_in: 'Opt-In' }[use.requirement];
  return use.note ? `${name}: ${use.note}` : name;
}

function attributeList(uses: readonly AttributeUse[]): string {
  return uses.length === 0 ? '—' : uses.map((use) => (use.requirement === 'required' ? `${code(use.name)} (req.)` : use.requirement === 'opt_in' ? `${code(use.name)} (opt-in)` : code(use.name))).join(', ');
}

/** The README "Names" section of one package: spans, metrics, attributes and deviations, from the registry only. */
export function namesMarkdown(pkg: PackageNames): string {
  const lines: string[] = [NAMES_BEGIN, '## Names', ''];
  lines.push('Every name below comes from the naming registry in `@threadline/core`; each suite checks what it emits against it and the installed `@opentelemetry/semantic-conventions`.', '');
  if (pkg.spans.length > 0) {
    lines.push('### Spans', '', '| span name | kind | when | attributes |', '|---|---|---|---|');
    for (const span of pkg.spans) lines.push(`| ${code(span.pattern)} | ${span.kind} | ${cell(span.description)} | ${cell(attributeList(span.attributes))}${span.callerAttributes ? ' + the caller\'s own' : ''} |`);
    lines.push('');
  }
  if (pkg.metrics.length > 0) {
    lines.push('### Metrics', '', '| metric | instrument | unit | tag | description | attributes |', '|---|---|---|---|---|---|');
    for (const m of pkg.metrics) lines.push(`| ${code(m.name)} | ${m.instrument} | ${code(m.unit)} | ${TAG[metricStability(m.name)]} | ${cell(m.description)} | ${cell(attributeList(m.attributes))} |`);
    lines.push('');
  }
  const uses = new Map<string, { use: AttributeUse; where: Set<string> }>();
  const add = (use: AttributeUse, where: string) => {
    const known = uses.get(use.name);
    if (known) known.where.add(where);
    else uses.set(use.name, { use, where: new Set([where]) });
  };
  for (const span of pkg.spans) for (const use of span.attributes) add(use, 'spans');
  for (const m of pkg.metrics) for (const use of m.attributes) add(use, 'metrics');
  for (const event of pkg.events) for (const use of event.attributes) add(use, `event ${code(event.name)}`);
  if (uses.size > 0) {
    lines.push('### Attributes', '', '| attribute | tag | on | requirement | meaning |', '|---|---|---|---|---|');
    for (const [name, { use, where }] of [...uses].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`| ${code(name)} | ${tagOf(name)} | ${[...where].join(', ')} | ${cell(level(use))} | ${cell(attributeInfo(name)?.brief ?? '')} |`);
    }
    lines.push('');
  }
  if (pkg.events.length > 0) {
    lines.push('### Span events', '', '| event | tag | when |', '|---|---|---|');
    for (const event of pkg.events) lines.push(`| ${code(event.name)} | ${tagOf(event.name)} | ${cell(event.description)} |`);
    lines.push('');
  }
  const values = Object.entries(pkg.customValues ?? {}).filter(([, list]) => list.length > 0);
  if (pkg.deviations.length > 0 || values.length > 0 || (pkg.passthroughMetricPrefixes?.length ?? 0) > 0) {
    lines.push('### Deviations from semconv', '');
    for (const deviation of pkg.deviations) lines.push(`- ${deviation}`);
    for (const [attribute, list] of values) lines.push(`- Values of ${code(attribute)} semconv does not list: ${list.map(code).join(', ')}.`);
    lines.push('');
  }
  lines.push(NAMES_END);
  return lines.join('\n');
}

/** `readme` with its names section replaced by the registry's (appended when it has none). */
export function withNamesSection(readme: string, pkg: PackageNames): string {
  const section = namesMarkdown(pkg);
  const begin = readme.indexOf(NAMES_BEGIN);
  const end = readme.indexOf(NAMES_END);
  if (begin === -1 || end === -1) return `${readme.trimEnd()}\n\n${section}\n`;
  return readme.slice(0, begin) + section + readme.slice(end + NAMES_END.length);
}
