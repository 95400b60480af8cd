import { METRICS } from '@threadline/core';
import { setupTelemetry } from '@threadline/testing';
import { trace } from '@opentelemetry/api';
import pg from 'pg';
import { expect, it } from 'vitest';
import { emitTraceContext } from '../src/index.js';
import { connectionOf, describeWithCluster } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();
const tracer = trace.getTracer('test-writer');

describeWithCluster('pg-cdc writer helper (emitTraceContext)', () => {
  const cdc = useCdcSuite({ harness });

  it('the writer helper never fails the app transaction: EXECUTE revoked, read-only, or a broken client', async () => {
    const { admin, table } = cdc.fixture;
    const role = `writer_${cdc.fixture.slot}`;
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT INSERT, SELECT ON ${table} TO ${role}`);
    // PUBLIC may execute it by default; a locked-down server revokes it (this cluster is private to the suite).
    await admin.query('REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC');
    const client = new pg.Client({ ...connectionOf(cdc.info), user: role });
    await client.connect();
    try {
      await tracer.startActiveSpan('unprivileged', async (span) => {
        await client.query('BEGIN');
        expect(await emitTraceContext(client)).toBe(false);
        await client.query(`INSERT INTO ${table} (id) VALUES (5)`);
        await client.query('COMMIT');
        await client.query('BEGIN READ ONLY');
        expect(await emitTraceContext(client)).toBe(false);
        expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 1 }]);
        await client.query('COMMIT');
        span.end();
      });
    } finally {
      await client.end();
      await admin.query('GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) TO PUBLIC');
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
    }
    expect((await admin.query(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 5 }]);
    // Both refusals are counted, not silent.
    expect((await harness.metricPoint(METRICS.TELEMETRY_DROPPED.name, { 'threadline.telemetry.drop_reason': 'cdc_emit_refused' })).value).toBe(2);

    const broken = { query: () => Promise.reject(new Error('connection reset')) };
    await tracer.startActiveSpan('broken', async (span) => {
      expect(await emitTraceContext(broken)).toBe(false);
      span.end();
    });
    expect((await harness.metricPoint(METRICS.TELEMETRY_DROPPED.name, { 'threadline.telemetry.drop_reason': 'cdc_emit_error' })).value).toBe(1);
  });
});
