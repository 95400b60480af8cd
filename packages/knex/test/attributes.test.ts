import { describe, expect, it } from 'vitest';
import { collectionName, connectionFacts, maskLiterals, methodOperation, queryText, summaryKeyword } from '../src/attributes.js';

describe('maskLiterals (the default sanitizer)', () => {
  it.each([
    ["select * from t where name = 'bob' and age > 42", 'select * from t where name = ? and age > ?'],
    ["insert into t values ('it''s', -3.5e10)", 'insert into t values (?, -?)'],
    ['select $1, $22 from t2 where c3 = ?', 'select $1, $22 from t2 where c3 = ?'],
    ['select "col1" from "t_2"', 'select "col1" from "t_2"'],
    ["select 'unterminated secret", 'select ?'],
    ["select 'Zoë 🚀' as v", 'select ? as v'],
  ])('%s', (sql, expected) => {
    expect(maskLiterals(sql)).toBe(expected);
  });

  it('cuts a 1 MB statement before sanitizing it', () => {
    const text = queryText(`select '${'x'.repeat(1024 * 1024)}'`, 100, maskLiterals);
    expect(text).toBe('select ?');
  });
});

describe('methodOperation (db.operation.name, never parsed from SQL)', () => {
  it.each([
    ['select', 'SELECT'],
    ['first', 'SELECT'],
    ['del', 'DELETE'],
    ['raw', undefined],
    [undefined, undefined],
  ])('%s → %s', (method, expected) => {
    expect(methodOperation(method)).toBe(expected);
  });
});

describe('summaryKeyword (db.query.summary of raw SQL)', () => {
  it.each([
    ['  (select 1) union (select 2)', 'SELECT'],
    ['with x as (select 1) select * from x', 'WITH'],
    ['create table t (id int)', 'CREATE'],
    ['frobnicate everything', undefined],
    ['', undefined],
  ])('%s → %s', (sql, expected) => {
    expect(summaryKeyword(sql)).toBe(expected);
  });
});

describe('collectionName', () => {
  it('takes a builder single table, without its alias; nothing for raw or subqueries', () => {
    expect(collectionName({ _single: { table: 'users' } })).toBe('users');
    expect(collectionName({ _single: { table: 'users as u' } })).toBe('users');
    expect(collectionName({ _single: { table: { sql: 'x' } } })).toBeUndefined();
    expect(collectionName(undefined)).toBeUndefined();
  });
});

describe('connectionFacts', () => {
  it('reads host, port and database, never credentials', () => {
    const facts = connectionFacts({ driverName: 'pg', connectionSettings: { host: 'db', port: 6543, user: 'u', password: 'p', database: 'app' } }, undefined);
    expect(facts).toEqual({ system: 'postgresql', namespace: 'app', serverAddress: 'db', serverPort: 6543, poolName: 'db:6543/app' });
    expect(JSON.stringify(facts)).not.toContain('"p"');
  });

  it('parses a connection string and defaults the port', () => {
    const facts = connectionFacts({ driverName: 'mysql2', connectionSettings: { connectionString: 'mysql://root:hunter2@maria.local/shop' } }, undefined);
    expect(facts).toMatchObject({ system: 'mysql', serverAddress: 'maria.local', serverPort: 3306, namespace: 'shop' });
    expect(JSON.stringify(facts)).not.toContain('hunter2');
  });

  it('falls back to other_sql and honours an override', () => {
    expect(connectionFacts({ driverName: 'weird' }, undefined).system).toBe('other_sql');
    expect(connectionFacts({ driverName: 'pg' }, 'cockroachdb').system).toBe('cockroachdb');
  });
});
