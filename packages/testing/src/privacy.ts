import type { TelemetryHarness } from './harness.js';

/** One place a marker was found: `where` is a readable path such as `span "get users" › status.message`. */
export interface MarkerHit {
  readonly marker: string;
  readonly where: string;
}

/**
 * Walks any value (plain objects, arrays, Maps, strings, numbers, bigint, byte arrays) and reports
 * every string, key or byte run that contains one of `markers`. Cycles are visited once.
 */
export function findMarkers(value: unknown, markers: readonly string[], where = '$'): MarkerHit[] {
  const hits: MarkerHit[] = [];
  const seen = new Set<object>();
  const check = (text: string, at: string) => {
    for (const marker of markers) if (text.includes(marker)) hits.push({ marker, where: at });
  };
  const visit = (node: unknown, at: string) => {
    if (typeof node === 'string') return check(node, at);
    if (typeof node === 'number' || typeof node === 'bigint' || typeof node === 'boolean') return check(String(node), at);
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (node instanceof Uint8Array) return check(Buffer.from(node.buffer, node.byteOffset, node.byteLength).toString('latin1'), at);
    if (node instanceof Map) {
      for (const [key, entry] of node) {
        visit(key, `${at} key`);
        visit(entry, `${at}[${JSON.stringify(String(key))}]`);
      }
      return;
    }
    if (Array.isArray(node)) return node.forEach((entry, index) => visit(entry, `${at}[${index}]`));
    for (const key of Object.keys(node)) {
      check(key, `${at} key ${JSON.stringify(key)}`);
      visit((node as Record<string, unknown>)[key], /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`);
    }
  };
  visit(value, where);
  return hits;
}

/**
 * What a harness run exported, as plain data: every finished span (name, attributes, status,
 * events, links, resource) and every metric (name, description, unit, point attributes, resource).
 */
export async function exportedTelemetry(harness: TelemetryHarness): Promise<Record<string, unknown>> {
  const spans = harness.spans().map((span) => ({
    name: span.name,
    attributes: span.attributes,
    status: span.status,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes ?? {} })),
    links: span.links.map((link) => ({ attributes: link.attributes ?? {}, traceState: link.context.traceState?.serialize() })),
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
  }));
  const { resourceMetrics } = await harness.metricReader.collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.map((metric) => ({
      name: metric.descriptor.name,
      description: metric.descriptor.description,
      unit: metric.descriptor.unit,
      points: metric.dataPoints.map((point) => point.attributes),
    })),
  );
  return { spans, metrics, metricResource: resourceMetrics.resource.attributes };
}

/** Fails listing every place a marker reached the harness's spans, events, links, metric labels or resources. */
export async function expectNoMarkers(harness: TelemetryHarness, markers: readonly string[]): Promise<void> {
  assertNoMarkers(await exportedTelemetry(harness), markers);
}

/** Throws listing each hit when `value` holds any marker; a test's guard over bytes or decoded telemetry. */
export function assertNoMarkers(value: unknown, markers: readonly string[], what = 'telemetry'): void {
  if (markers.length === 0 || markers.some((marker) => marker.length < 6)) {
    throw new Error('privacy markers must be given, each at least 6 characters (short ones match by chance)');
  }
  const hits = findMarkers(value, markers);
  if (hits.length > 0) {
    throw new Error(`${what} holds ${hits.length} private marker(s):\n${hits.map((hit) => `  ${hit.marker} at ${hit.where}`).join('\n')}`);
  }
}
