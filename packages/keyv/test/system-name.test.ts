import { describe, expect, it } from 'vitest';
import { dbSystemOf } from '../src/keyv-shape.js';

class KeyvMariadb {}
class KeyvMysql {}
class KeyvEtcd {}
class SomeCustomStore {}

describe('db.system.name of a Keyv store', () => {
  it('names semconv systems by their semconv value, MariaDB included', () => {
    expect(dbSystemOf(new KeyvMariadb())).toBe('mariadb');
    expect(dbSystemOf(new KeyvMysql())).toBe('mysql');
  });

  it('uses the documented custom values where semconv has none', () => {
    expect(dbSystemOf(new Map())).toBe('keyv.memory');
    expect(dbSystemOf(new KeyvEtcd())).toBe('etcd');
    expect(dbSystemOf(new SomeCustomStore())).toBe('keyv.other');
  });
});
