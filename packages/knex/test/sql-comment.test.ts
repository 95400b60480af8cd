import { describe, expect, it } from 'vitest';
import { commentedSql, mayComment } from '../src/sql-comment.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const COMMENT = `/*traceparent='${TP}'*/`;

describe('commentedSql (the SQL commenter rules)', () => {
  it('appends the traceparent comment, keeping a trailing semicolon last', () => {
    expect(commentedSql('select 1', TP, false)).toBe(`select 1 ${COMMENT}`);
    expect(commentedSql('COMMIT;', TP, false)).toBe(`COMMIT ${COMMENT};`);
    expect(commentedSql('update t set a = $1 ;  ', TP, false)).toBe(`update t set a = $1 ${COMMENT};`);
  });

  it('leaves statements it could change alone: existing comments, several statements, empty text', () => {
    expect(commentedSql('select 1 -- mine', TP, false)).toBeUndefined();
    expect(commentedSql('select /*+ hint */ 1', TP, false)).toBeUndefined();
    expect(commentedSql("select '--' as dashes", TP, false)).toBeUndefined();
    expect(commentedSql('select 1; select 2;', TP, false)).toBeUndefined();
    expect(commentedSql('   ', TP, false)).toBeUndefined();
    expect(commentedSql(undefined, TP, false)).toBeUndefined();
  });

  it('treats # as a comment start only on MySQL / MariaDB', () => {
    expect(commentedSql('select 1 # mine', TP, true)).toBeUndefined();
    expect(commentedSql("select '#1'", TP, false)).toBe(`select '#1' ${COMMENT}`);
  });

  it('writes only a well-formed W3C traceparent (nothing else reaches the SQL)', () => {
    expect(commentedSql('select 1', undefined, false)).toBeUndefined();
    expect(commentedSql('select 1', "00-x'*/ drop table t; /*", false)).toBeUndefined();
    expect(commentedSql('select 1', TP.toUpperCase(), false)).toBeUndefined();
  });

  it('never comments pg named statements or objects whose driver options carry the text', () => {
    expect(mayComment({ sql: 'select 1' })).toBe(true);
    expect(mayComment({ sql: 'select 1', options: { rowMode: 'array' } })).toBe(true);
    expect(mayComment({ sql: 'select 1', options: { name: 'by-name' } })).toBe(false);
    expect(mayComment({ sql: 'select 1', options: { text: 'select 2' } })).toBe(false);
    expect(mayComment({ sql: 'select 1', options: { sql: 'select 2' } })).toBe(false);
  });
});
