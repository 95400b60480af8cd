import { attributeInfo, packageNames } from '@threadline/core';
import { expect, it } from 'vitest';
import { TEMPORAL_ATTR, TEMPORAL_METRICS } from '../src/semconv.js';

// semconv.ts stays import-free for the workflow sandbox, so it repeats names the registry holds: keep them equal.
it("every Temporal attribute and metric name is the naming registry's", () => {
  expect(Object.values(TEMPORAL_ATTR).filter((name) => !attributeInfo(name))).toEqual([]);
  const registered = packageNames('@threadline/temporal')?.metrics ?? [];
  for (const metric of Object.values(TEMPORAL_METRICS)) {
    expect(registered.find((m) => m.name === metric.name)?.unit, metric.name).toBe(metric.unit);
  }
});
