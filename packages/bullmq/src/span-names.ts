import { OUTCOME, type Outcome } from './semconv.js';

/** What the adapter makes of one of BullMQ's spans, by operation (the first word of its name). */
export type SpanRole = 'process' | 'send' | 'bulk' | 'flow' | 'internal';

/** True when BullMQ's span name starts with the operation `op`, `length` being the operation's length in it. */
const is = (name: string, length: number, op: string) => length === op.length && name.startsWith(op);

// BullMQ names spans `${operation} ${destination}`: the operation is read in place, by its length
// first, not cut out of the name (a fresh string per span, then compared case by case).
export function roleOf(name: string, length: number): SpanRole {
  switch (length) {
    case 3:
      return is(name, length, 'add') ? 'send' : 'internal';
    case 7:
      if (is(name, length, 'process')) return 'process';
      if (is(name, length, 'addNode')) return 'send';
      if (is(name, length, 'addBulk')) return 'bulk';
      return is(name, length, 'addFlow') ? 'flow' : 'internal';
    case 12:
      return is(name, length, 'addBulkFlows') ? 'flow' : 'internal';
    default:
      return 'internal';
  }
}

/** The attempt's outcome when BullMQ starts this operation inside a process span. */
export function outcomeOf(name: string, length: number): Outcome | undefined {
  switch (length) {
    case 8:
      return is(name, length, 'complete') ? OUTCOME.COMPLETED : undefined;
    case 4:
      return is(name, length, 'fail') ? OUTCOME.FAILED : undefined;
    case 5:
      return is(name, length, 'retry') || is(name, length, 'delay') ? OUTCOME.RETRY : undefined;
    default:
      return undefined;
  }
}
