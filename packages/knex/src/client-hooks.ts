/**
 * Where threadline sees knex without the app seeing threadline. knex's client emits `start`,
 * `query`, `query-response` and `query-error`, and the knex instance re-emits them to the app's
 * listeners; a listener of ours on either shows in `_events`, `eventNames()` and `listenerCount()`,
 * and `withUserParams` copies it. Instead, `emit`, `stream` and `transaction` are wrapped once on
 * the client's class prototype (which every copy's and every transaction's client shares) and
 * dispatch to the attachment that owns the calling client; other clients pass straight through.
 */

import { useWrappedPrototype, type AnyFn } from './prototype-hook.js';

/** What one attachment does with the calls of the clients it owns. */
export interface ClientHooks {
  /** False once detached: its clients pass through again. */
  readonly active: boolean;
  /** Runs before the client's listeners (knex's, which re-emit to the app's). Never throws. */
  emitted(event: string, a: unknown, b: unknown): void;
  stream(original: AnyFn, client: object, args: unknown[]): unknown;
  transaction(original: AnyFn, client: object, args: unknown[]): unknown;
  /** The dialect's `_query(connection, queryObject)`, wrapped only for the SQL commenter. */
  sendQuery?(original: AnyFn, client: object, args: unknown[]): unknown;
}

interface ClientShape {
  readonly pool?: unknown;
  readonly transacting?: unknown;
}

// Keyed by the objects themselves: nothing is written on a client, so nothing is copied or listed.
const owners = new WeakMap<object, ClientHooks>();
const poolOwners = new WeakMap<object, ClientHooks>();

/**
 * The attachment owning `client`. A `withUserParams` copy gets a fresh client object that shares
 * the original's pool: it is recognised by that pool on its first call, then remembered.
 */
function ownerOf(client: object): ClientHooks | undefined {
  const owner = owners.get(client);
  if (owner?.active) return owner;
  const pool = (client as ClientShape).pool;
  if (pool === null || typeof pool !== 'object') return undefined;
  const byPool = poolOwners.get(pool);
  if (!byPool?.active) return undefined;
  owners.set(client, byPool);
  return byPool;
}

/** `client` (a root, a copy's or a transaction's client) is handled by `hooks`. */
export function own(client: object, hooks: ClientHooks): void {
  owners.set(client, hooks);
}

/** Queries on clients sharing `pool` (withUserParams copies) belong to `hooks`. */
export function ownPool(pool: unknown, hooks: ClientHooks): void {
  if (pool !== null && typeof pool === 'object') poolOwners.set(pool, hooks);
}

/**
 * Wraps the prototype of `client` (once, shared by every attachment on that class) and makes
 * `hooks` own `client` and its pool. The returned release puts the prototype back when the last
 * attachment on it is released and nothing re-wrapped it meanwhile.
 */
export function hookClient(client: object, hooks: ClientHooks): () => void {
  own(client, hooks);
  ownPool((client as ClientShape).pool, hooks);
  const prototype = Object.getPrototypeOf(client) as object | null;
  if (prototype === null) return () => undefined;
  const release = useWrappedPrototype(prototype, CLIENT_WRAPPERS);
  if (!hooks.sendQuery) return release;
  // Only apps that opt into the commenter pay for a wrapper on the query path.
  const releaseQuery = useWrappedPrototype(prototype, QUERY_WRAPPERS);
  return () => {
    releaseQuery();
    release();
  };
}

const QUERY_WRAPPERS: Record<string, (original: AnyFn) => AnyFn> = {
  _query: (original) =>
    function threadlineQuery(this: object, ...args: unknown[]) {
      const owner = ownerOf(this);
      return owner?.sendQuery === undefined ? original.apply(this, args) : owner.sendQuery(original, this, args);
    },
};

const CLIENT_WRAPPERS: Record<string, (original: AnyFn) => AnyFn> = {
  emit: (original) =>
    function threadlineEmit(this: object, event: unknown, a?: unknown, b?: unknown) {
      // A transaction's client re-emits everything on its parent client: count it there, once.
      if ((event === 'query' || event === 'query-response' || event === 'query-error' || event === 'start') && (this as ClientShape).transacting !== true) {
        ownerOf(this)?.emitted(event, a, b);
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  stream: (original) =>
    function threadlineStream(this: object, ...args: unknown[]) {
      const owner = ownerOf(this);
      return owner === undefined ? original.apply(this, args) : owner.stream(original, this, args);
    },
  transaction: (original) =>
    function threadlineTransaction(this: object, ...args: unknown[]) {
      const owner = ownerOf(this);
      return owner === undefined ? original.apply(this, args) : owner.transaction(original, this, args);
    },
};
