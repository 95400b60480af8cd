import { OUTCOME, type Outcome } from './semconv.js';

/** What the adapter makes of one of BullMQ's spans. */
export type SpanRole = 'process' | 'send' | 'bulk' | 'flow' | 'internal';

export interface ParsedSpanName {
  readonly role: SpanRole;
  readonly operation: string;
  /** The part after the operation: the queue (for `add`, `queue.jobName`). */
  readonly destination: string | undefined;
  /** The attempt's outcome when BullMQ starts this span inside a process span. */
  readonly outcome: Outcome | undefined;
}

const ROLES: Record<string, SpanRole> = { process: 'process', add: 'send', addNode: 'send', addBulk: 'bulk', addFlow: 'flow', addBulkFlows: 'flow' };
const SETTLE_OUTCOMES: Record<string, Outcome> = { complete: OUTCOME.COMPLETED, fail: OUTCOME.FAILED, retry: OUTCOME.RETRY, delay: OUTCOME.RETRY };

// BullMQ names spans `${operation} ${destination}`: a handful per queue, so each is parsed once.
const cache = new Map<string, ParsedSpanName>();
const MAX_CACHED = 1000;

function parse(name: string): ParsedSpanName {
  const space = name.indexOf(' ');
  const operation = space === -1 ? name : name.slice(0, space);
  return {
    role: Object.hasOwn(ROLES, operation) ? (ROLES[operation] as SpanRole) : 'internal',
    operation,
    destination: space === -1 ? undefined : name.slice(space + 1),
    outcome: Object.hasOwn(SETTLE_OUTCOMES, operation) ? SETTLE_OUTCOMES[operation] : undefined,
  };
}

/** The parsed span name, from a bounded cache (job names in `add` names are the app's choice). */
export function parseSpanName(name: string): ParsedSpanName {
  let parsed = cache.get(name);
  if (parsed === undefined) {
    parsed = parse(name);
    if (cache.size < MAX_CACHED) cache.set(name, parsed);
  }
  return parsed;
}
