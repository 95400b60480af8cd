import { OUTCOME, type Outcome } from './semconv.js';

/** What the adapter makes of one of BullMQ's spans, by operation (the first word of its name). */
export type SpanRole = 'process' | 'send' | 'bulk' | 'flow' | 'internal';

// Switches, not lookup tables: the operation is a fresh string every call, and comparing it is
// cheaper than hashing it for a keyed lookup (BullMQ asks for several spans per job).
export function roleOf(operation: string): SpanRole {
  switch (operation) {
    case 'process':
      return 'process';
    case 'add':
    case 'addNode':
      return 'send';
    case 'addBulk':
      return 'bulk';
    case 'addFlow':
    case 'addBulkFlows':
      return 'flow';
    default:
      return 'internal';
  }
}

/** The attempt's outcome when BullMQ starts this operation inside a process span. */
export function outcomeOf(operation: string): Outcome | undefined {
  switch (operation) {
    case 'complete':
      return OUTCOME.COMPLETED;
    case 'fail':
      return OUTCOME.FAILED;
    case 'retry':
    case 'delay':
      return OUTCOME.RETRY;
    default:
      return undefined;
  }
}
