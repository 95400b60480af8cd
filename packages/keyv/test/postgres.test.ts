import KeyvPostgres from '@keyv/postgres';
import { assertChildOf, freePort, describeWithServices, SERVICES, uniqueName } from '@threadline/testing';
import Keyv from 'keyv';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentKeyv } from '../src/index.js';
import { harness, inParent, kvCount } from './helpers.js';

const { host, port } = SERVICES.postgres;
const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);
const uri = `postgresql://${process.env.PGUSER ?? 'postgres'}@${host}:${port}/${process.env.PGDATABASE ?? 'test'}`;

beforeEach(() => harness.reset());

describeWithPostgres('Postgres store (@keyv/postgres, own table)', () => {
  const table = uniqueName('tl_keyv');
  const store = new KeyvPostgres({ uri, table });
  const keyv = instrumentKeyv(new Keyv({ store, namespace: 'pg' }));

  afterAll(async () => {
    // The adapter's own pool drops the table it created (query is private in its typings).
    await (store as unknown as { query(sql: string): Promise<unknown> }).query(`DROP TABLE IF EXISTS "${table}"`);
    await keyv.disconnect();
  });

  it('counts hit / miss and getMany partial hits with db.system.name postgresql', async () => {
    await inParent(async () => {
      await keyv.set('a', { n: 1 });
      expect(await keyv.get('a')).toEqual({ n: 1 });
      expect(await keyv.get('b')).toBeUndefined();
      expect(await keyv.getMany(['a', 'b'])).toEqual([{ n: 1 }, undefined]);
    });
    const labels = { 'db.system.name': 'postgresql', 'db.collection.name': 'pg' };
    expect(await kvCount('get', 'hit', labels)).toBe(1);
    expect(await kvCount('get', 'miss', labels)).toBe(1);
    expect(await kvCount('getMany', 'hit', labels)).toBe(1);
    expect(await kvCount('getMany', 'miss', labels)).toBe(1);
    const get = harness.spansNamed('get pg')[0];
    expect(get?.attributes['db.system.name']).toBe('postgresql');
    assertChildOf(get!, harness.span('request'));
  });
});

describe('a Postgres store that cannot connect', () => {
  it('counts errors, never misses', async () => {
    const closed = await freePort();
    const store = new KeyvPostgres({ uri: `postgresql://postgres@127.0.0.1:${closed}/test`, table: 'unused' });
    const keyv = instrumentKeyv(new Keyv({ store, namespace: 'nopg' }));
    keyv.on('error', () => undefined);
    expect(await keyv.get('a')).toBeUndefined();
    expect(await kvCount('get', 'error', { 'db.system.name': 'postgresql', 'db.collection.name': 'nopg' })).toBe(1);
    expect(await kvCount('get', 'miss', { 'db.collection.name': 'nopg' })).toBe(0);
    await keyv.disconnect().catch(() => undefined);
  });
});
