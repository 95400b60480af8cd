import { describe, expect, it } from 'vitest';
import { connectionFacts, maskLiterals } from '../src/attributes.js';
import { QueryShapes } from '../src/query-shapes.js';

function shapes(maxQueryLength = 2048) {
  const facts = connectionFacts({ driverName: 'pg', connectionSettings: { host: 'db', database: 'app' } }, undefined);
  const connection = { 'db.system.name': facts.system, 'db.namespace': 'app', 'server.address': 'db', 'server.port': 5432 };
  return { facts, connection, shapes: new QueryShapes(facts, connection, maxQueryLength, maskLiterals) };
}

describe('QueryShapes (per-statement span name, start attributes, series slot)', () => {
  it('builds the span name and the semconv start attributes, leaving unknown ones out', () => {
    const { shapes: s } = shapes();
    const raw = s.of("select * from t where name = 'bob'", 'raw', undefined);
    expect(raw.spanName).toBe('SELECT');
    expect(raw.spanOptions.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.namespace': 'app',
      'server.address': 'db',
      'server.port': 5432,
      'db.query.summary': 'SELECT',
      'db.query.text': 'select * from t where name = ?',
    });
    expect(Object.keys(raw.spanOptions.attributes ?? {})).not.toContain('db.operation.name');
    expect(Object.keys(raw.spanOptions.attributes ?? {})).not.toContain('db.collection.name');
    const unknown = s.of('frobnicate', 'raw', undefined);
    expect(unknown.spanName).toBe('postgresql');
    expect(unknown.spanOptions.attributes).not.toHaveProperty('db.operation.name');
    expect(unknown.spanOptions.attributes).not.toHaveProperty('db.query.summary');
  });

  it('reuses one shape per statement, method and table, and builds another when either differs', () => {
    const { shapes: s } = shapes();
    const users = s.of('select * from "users"', 'select', 'users');
    expect(s.of('select * from "users"', 'select', 'users')).toBe(users);
    expect(users.spanName).toBe('SELECT users');
    const first = s.of('select * from "users"', 'first', 'users');
    expect(first).not.toBe(users);
    expect(first.operation).toBe('SELECT');
    const del = s.of('select * from "users"', 'del', 'users');
    expect(del.spanName).toBe('DELETE users');
  });

  it('leaves db.query.text out when maxQueryLength is 0', () => {
    expect(shapes(0).shapes.of('select 1', 'raw', undefined).spanOptions.attributes).not.toHaveProperty('db.query.text');
  });

  it('rebuilds every shape after clear() (the server turned out to be MariaDB)', () => {
    const { facts, connection, shapes: s } = shapes();
    const before = s.of('select 1', 'raw', undefined);
    facts.system = 'mariadb';
    connection['db.system.name'] = 'mariadb';
    s.clear();
    const after = s.of('select 1', 'raw', undefined);
    expect(after).not.toBe(before);
    expect(after.system).toBe('mariadb');
    expect(after.spanOptions.attributes).toMatchObject({ 'db.system.name': 'mariadb' });
  });
});
