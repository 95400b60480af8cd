/**
 * The Keyv operations threadline measures and how each call's result reads: per key (hit / miss
 * for reads, a failed write for `false`) or one `ok` per call.
 */
export type ResultShape =
  /** Resolves to the value or undefined: hit / miss. */
  | 'value'
  /** Resolves to a boolean presence: true = hit. */
  | 'presence'
  /** Resolves to an array of values (undefined = miss), one per key. */
  | 'values'
  /** Resolves to an array of booleans (true = hit), one per key. */
  | 'presences'
  /** Resolves to a boolean; false = not stored (error). */
  | 'written'
  /** Resolves to an array of booleans, false = not stored (error). */
  | 'writtens'
  /** Anything: ok. */
  | 'done';

export interface OpSpec {
  /** Keyv method name, also `db.operation.name` and the span name's first word. */
  readonly name: string;
  readonly shape: ResultShape;
  /** The first argument holds many keys (an array of keys or of `{ key }` entries). */
  readonly batch: boolean;
  /** Single-key methods that hand an array argument to their *Many sibling (counted there). */
  readonly delegatesArrays: boolean;
  /** Index in OP_SPECS, used to index per-op series caches. */
  readonly index: number;
}

const specs: Array<Omit<OpSpec, 'index'>> = [
  { name: 'get', shape: 'value', batch: false, delegatesArrays: true },
  { name: 'getRaw', shape: 'value', batch: false, delegatesArrays: false },
  { name: 'getMany', shape: 'values', batch: true, delegatesArrays: false },
  { name: 'getManyRaw', shape: 'values', batch: true, delegatesArrays: false },
  { name: 'set', shape: 'written', batch: false, delegatesArrays: false },
  { name: 'setRaw', shape: 'written', batch: false, delegatesArrays: false },
  { name: 'setMany', shape: 'writtens', batch: true, delegatesArrays: false },
  { name: 'setManyRaw', shape: 'writtens', batch: true, delegatesArrays: false },
  { name: 'delete', shape: 'done', batch: false, delegatesArrays: true },
  { name: 'deleteMany', shape: 'done', batch: true, delegatesArrays: false },
  { name: 'has', shape: 'presence', batch: false, delegatesArrays: true },
  { name: 'hasMany', shape: 'presences', batch: true, delegatesArrays: false },
  { name: 'clear', shape: 'done', batch: false, delegatesArrays: false },
];

export const OP_SPECS: readonly OpSpec[] = Object.freeze(specs.map((spec, index) => Object.freeze({ ...spec, index })));

export const ITERATOR_OP: OpSpec = Object.freeze({ name: 'iterator', shape: 'done', batch: false, delegatesArrays: false, index: OP_SPECS.length });

/** Number of distinct ops (series caches are arrays of this length). */
export const OP_COUNT = OP_SPECS.length + 1;

/** How many keys a batch call names; 1 for single-key calls. */
export function keyCount(op: OpSpec, firstArg: unknown): number {
  return op.batch && Array.isArray(firstArg) ? firstArg.length : 1;
}
