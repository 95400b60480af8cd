import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { describeWithServices, expectNoMarkers, exportedTelemetry, findMarkers, SERVICES, setupTelemetry } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bullmqTelemetry } from '../src/index.js';
import { connection, LINES, Resources, settled } from './helpers.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

const DATA = 'PRIVjobdata1';
const RESULT = 'PRIVresult22';
const ERROR_TEXT = 'PRIVerrtext3';

class CardRejected extends Error {
  override name = 'CardRejected';
}

describeWithRedis.each(LINES)('$line: private by default', ({ lib }) => {
  const res = new Resources();
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  /** One job that succeeds and one whose processor throws an error quoting its data. */
  const run = async (options: Parameters<typeof bullmqTelemetry>[0]) => {
    const { telemetry, name, queue } = res.adapterQueue(lib, options);
    const worker = res.track(
      new lib.Worker(
        name,
        telemetry.processor(async (job) => {
          if (job.name === 'fail') throw new CardRejected(`card of ${ERROR_TEXT} rejected for ${JSON.stringify((job as unknown as { data: unknown }).data)}`);
          return { receipt: RESULT };
        }),
        { connection, telemetry },
      ),
    );
    const done = settled(worker, 3);
    await queue.add('ok', { card: DATA });
    await queue.add('fail', { card: DATA });
    await queue.addBulk([{ name: 'ok', data: { card: DATA } }]);
    await done;
    await harness.waitForSpans(`process ${name}`, 3);
    return harness.spansNamed(`process ${name}`).find((span) => span.status.code === SpanStatusCode.ERROR)!;
  };

  it('job data and return values never reach telemetry; the processor\'s error message does by default (documented)', async () => {
    const failed = await run({});
    expect(failed.status.message).toContain(ERROR_TEXT);
    await expectNoMarkers(harness, [RESULT]);
    // The message quotes the job data: with messages recorded, that is the only place data appears.
    const hits = findMarkers(await exportedTelemetry(harness), [DATA, ERROR_TEXT]);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.filter((hit) => !/status\.message|exception\.(message|stacktrace)/.test(hit.where))).toEqual([]);
  });

  it('recordErrorMessages: false records only error.type and the exception type', async () => {
    const failed = await run({ recordErrorMessages: false });
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(failed.attributes[ATTR.ERROR_TYPE]).toBe('CardRejected');
    expect(failed.events.filter((event) => event.name === 'exception').map((event) => event.attributes)).toEqual([{ 'exception.type': 'CardRejected' }]);
    await expectNoMarkers(harness, [DATA, RESULT, ERROR_TEXT]);
  });

  it('refuses a recordErrorMessages that is not a boolean', () => {
    expect(() => bullmqTelemetry({ recordErrorMessages: 'no' as never })).toThrow('@threadline/bullmq: recordErrorMessages must be true or false');
  });
});
