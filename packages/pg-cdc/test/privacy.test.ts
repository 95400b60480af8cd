import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { expectNoMarkers, setupTelemetry } from '@threadline/testing';
import { expect, it } from 'vitest';
import type { CdcConsumer } from '../src/index.js';
import { describeWithCluster, eventually } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const harness = setupTelemetry();

const ROW_VALUE = 'PRIVrowval7';

class RowRejected extends Error {
  override name = 'RowRejected';
}

describeWithCluster('pg-cdc: private by default', () => {
  const cdc = useCdcSuite({ harness });
  let consumer: CdcConsumer | undefined;

  const failingConsumer = (recordErrorMessages: boolean | undefined) => {
    consumer = cdc.consumer({
      ...(recordErrorMessages === undefined ? {} : { recordErrorMessages }),
      handler: (tx) => {
        throw new RowRejected(`cannot apply ${JSON.stringify(tx.changes.map((change) => change.new))}`);
      },
    });
    return consumer;
  };

  const firstFailure = async () => {
    await eventually(() => harness.spansNamed(`process ${cdc.fixture.slot}`).some((span) => span.status.code === SpanStatusCode.ERROR), 'a failed process span');
    await consumer?.stop();
    return harness.spansNamed(`process ${cdc.fixture.slot}`).find((span) => span.status.code === SpanStatusCode.ERROR)!;
  };

  it('row values reach the handler only; a handler error that quotes them is recorded as-is by default', async () => {
    await failingConsumer(undefined).start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id, note) VALUES (1, '${ROW_VALUE}')`);
    const failed = await firstFailure();
    expect(failed.status.message).toContain(ROW_VALUE);
  });

  it('recordErrorMessages: false: error.type and the exception type only, the row value appears nowhere', async () => {
    await failingConsumer(false).start();
    await cdc.fixture.admin.query(`INSERT INTO ${cdc.fixture.table} (id, note) VALUES (1, '${ROW_VALUE}')`);
    const failed = await firstFailure();
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(failed.attributes[ATTR.ERROR_TYPE]).toBe('RowRejected');
    expect(failed.events.map((event) => event.attributes)).toEqual([{ 'exception.type': 'RowRejected' }]);
    await expectNoMarkers(harness, [ROW_VALUE]);
  });
});
