import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './version.js';
import {
  ATTR,
  METRICS,
  RESULT,
  defineMetrics,
  type CounterSeries,
  type HistogramSeries,
  type UpDownCounterSeries,
} from '@threadline/core';
import { BULLMQ_ATTR, MESSAGING_SYSTEM, OPERATION_TYPE } from './semconv.js';

const BASE = [ATTR.MESSAGING_SYSTEM, ATTR.MESSAGING_DESTINATION_NAME, ATTR.MESSAGING_OPERATION_NAME] as const;
const OPTIONAL = [ATTR.ERROR_TYPE, BULLMQ_ATTR.JOB_NAME] as const;

const instruments = defineMetrics((collector) => ({
  sent: collector.counter({ ...METRICS.MESSAGING_CLIENT_SENT_MESSAGES, labelKeys: [...BASE, ...OPTIONAL], optionalLabelKeys: OPTIONAL }),
  sendDuration: collector.histogram({
    ...METRICS.MESSAGING_CLIENT_OPERATION_DURATION,
    labelKeys: [...BASE, ATTR.MESSAGING_OPERATION_TYPE, ...OPTIONAL],
    optionalLabelKeys: OPTIONAL,
  }),
  consumed: collector.counter({ ...METRICS.MESSAGING_CLIENT_CONSUMED_MESSAGES, labelKeys: [...BASE, BULLMQ_ATTR.JOB_NAME], optionalLabelKeys: [BULLMQ_ATTR.JOB_NAME] }),
  settled: collector.counter({
    ...METRICS.MESSAGING_SETTLED_MESSAGES,
    labelKeys: [...BASE, ATTR.RESULT, ...OPTIONAL],
    optionalLabelKeys: OPTIONAL,
  }),
  processDuration: collector.histogram({ ...METRICS.MESSAGING_PROCESS_DURATION, labelKeys: [...BASE, ...OPTIONAL], optionalLabelKeys: OPTIONAL }),
  inFlight: collector.upDownCounter({ ...METRICS.MESSAGING_PROCESS_IN_FLIGHT, labelKeys: [...BASE, BULLMQ_ATTR.JOB_NAME], optionalLabelKeys: [BULLMQ_ATTR.JOB_NAME] }),
  queueWait: collector.histogram({ ...METRICS.MESSAGING_QUEUE_WAIT, labelKeys: [...BASE, BULLMQ_ATTR.JOB_NAME], optionalLabelKeys: [BULLMQ_ATTR.JOB_NAME] }),
  // Bound series per queue (and job name when opted in), rebuilt with the collector.
  byQueue: new Map<string, QueueSeries>(),
}), { name: INSTRUMENTATION_NAME, version: INSTRUMENTATION_VERSION });

/** Pre-bound series for one queue: the hot path records without building label objects. */
export class QueueSeries {
  readonly sentOk: CounterSeries;
  readonly sendOk: HistogramSeries;
  readonly consumed: CounterSeries;
  readonly ack: CounterSeries;
  readonly processOk: HistogramSeries;
  readonly inFlight: UpDownCounterSeries;
  readonly queueWait: HistogramSeries;
  private readonly failures = new Map<string, { nack: CounterSeries; process: HistogramSeries; sent: CounterSeries; send: HistogramSeries }>();

  constructor(
    private readonly m: ReturnType<typeof instruments>,
    private readonly queue: string,
    private readonly jobName: string | undefined,
  ) {
    const send = this.labels(OPERATION_TYPE.SEND);
    const process = this.labels(OPERATION_TYPE.PROCESS);
    this.sentOk = m.sent.bind(send);
    this.sendOk = m.sendDuration.bind({ ...send, [ATTR.MESSAGING_OPERATION_TYPE]: OPERATION_TYPE.SEND });
    this.consumed = m.consumed.bind(process);
    this.ack = m.settled.bind({ ...process, [ATTR.RESULT]: RESULT.ACK });
    this.processOk = m.processDuration.bind(process);
    this.inFlight = m.inFlight.bind(process);
    this.queueWait = m.queueWait.bind(process);
  }

  /** One delivery to the processor: counted as consumed (retries included) and in flight. */
  delivered(): void {
    this.consumed.add(1);
    this.inFlight.add(1);
  }

  /** Series carrying `error.type`, bound once per type (a small set: error classes / codes). */
  failed(type: string) {
    let series = this.failures.get(type);
    if (!series) {
      const send = { ...this.labels(OPERATION_TYPE.SEND), [ATTR.ERROR_TYPE]: type };
      const process = { ...this.labels(OPERATION_TYPE.PROCESS), [ATTR.ERROR_TYPE]: type };
      series = {
        nack: this.m.settled.bind({ ...process, [ATTR.RESULT]: RESULT.NACK }),
        process: this.m.processDuration.bind(process),
        sent: this.m.sent.bind(send),
        send: this.m.sendDuration.bind({ ...send, [ATTR.MESSAGING_OPERATION_TYPE]: OPERATION_TYPE.SEND }),
      };
      this.failures.set(type, series);
    }
    return series;
  }

  private labels(operation: string): Record<string, string | undefined> {
    return {
      [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
      [ATTR.MESSAGING_DESTINATION_NAME]: this.queue,
      [ATTR.MESSAGING_OPERATION_NAME]: operation,
      [BULLMQ_ATTR.JOB_NAME]: this.jobName,
    };
  }
}

const MAX_CACHED = 1000;

// The last queue's series: a worker or producer mostly serves one queue, so most jobs skip the key and the lookup.
let last: { m: ReturnType<typeof instruments>; queue: string; jobName: string | undefined; series: QueueSeries } | undefined;

/** The bound series for a queue; `jobName` only when the user opted into the job-name label. */
export function queueSeries(queue: string, jobName: string | undefined): QueueSeries {
  const m = instruments();
  if (last !== undefined && last.m === m && last.queue === queue && last.jobName === jobName) return last.series;
  const series = lookupSeries(m, queue, jobName);
  last = { m, queue, jobName, series };
  return series;
}

function lookupSeries(m: ReturnType<typeof instruments>, queue: string, jobName: string | undefined): QueueSeries {
  const key = jobName === undefined ? queue : `${queue}\u0001${jobName}`;
  let series = m.byQueue.get(key);
  if (!series) {
    series = new QueueSeries(m, queue, jobName);
    // The collector folds excess label sets itself; this only bounds our handle cache.
    if (m.byQueue.size < MAX_CACHED) m.byQueue.set(key, series);
  }
  return series;
}
