import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../src/lsn.js';
import { TransactionAssembler, type PgoutputMessage } from '../src/transaction.js';

const orders = { schema: 'public', name: 'orders' };
const text = new TextEncoder();

describe('TransactionAssembler (plain pgoutput events)', () => {
  it('buffers BEGIN … COMMIT into one transaction, splitting carriers from other messages', () => {
    const assembler = new TransactionAssembler('threadline.trace');
    const feed: PgoutputMessage[] = [
      { tag: 'begin', commitLsn: '00000000/016B3750', commitTime: 1_700_000_000_000_000n, xid: 731 },
      { tag: 'relation' },
      { tag: 'message', transactional: true, prefix: 'threadline.trace', content: text.encode('{"traceparent":"x"}') },
      { tag: 'insert', relation: orders, new: { id: 1 } },
      { tag: 'update', relation: orders, key: null, old: null, new: { id: 1, note: 'n' } },
      { tag: 'message', transactional: true, prefix: 'app.audit', content: text.encode('hi') },
      { tag: 'delete', relation: orders, key: { id: 1 }, old: null },
      { tag: 'truncate', relations: [orders, undefined] },
    ];
    for (const message of feed) expect(assembler.push(message)).toBeUndefined();
    expect(assembler.inTransaction).toBe(true);
    const done = assembler.push({ tag: 'commit', commitLsn: '00000000/016B3750', commitEndLsn: '00000000/016B3780', commitTime: 1_700_000_000_000_000n });
    expect(assembler.inTransaction).toBe(false);
    expect(done!.endLsn).toBe(0x16b3780n);
    expect(done!.carriers).toEqual(['{"traceparent":"x"}']);
    expect(done!.transaction).toMatchObject({ xid: 731, lsn: '0/16B3750', endLsn: '0/16B3780', attempt: 1 });
    expect(done!.transaction.commitTime.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(done!.transaction.changes.map((c) => c.op)).toEqual(['insert', 'update', 'delete', 'truncate']);
    expect(done!.transaction.messages.map((m) => m.prefix)).toEqual(['app.audit']);
  });

  it('ignores changes outside a transaction and drops a half-received one on reset', () => {
    const assembler = new TransactionAssembler('p');
    expect(assembler.push({ tag: 'insert', relation: orders, new: { id: 1 } })).toBeUndefined();
    expect(assembler.push({ tag: 'message', transactional: false, prefix: 'p', content: text.encode('{}') })).toBeUndefined();
    assembler.push({ tag: 'begin', commitLsn: '0/10', commitTime: 0n, xid: 1 });
    assembler.push({ tag: 'insert', relation: orders, new: { id: 2 } });
    assembler.reset();
    expect(assembler.push({ tag: 'commit', commitLsn: '0/10', commitEndLsn: '0/20', commitTime: 0n })).toBeUndefined();
  });
});

describe('LSN arithmetic', () => {
  it('round-trips 64-bit positions without float loss', () => {
    for (const text of ['0/0', '0/16B3780', '16/B374D848', 'FFFFFFFF/FFFFFFFF']) expect(formatLsn(parseLsn(text))).toBe(text);
    expect(formatLsn(parseLsn('00000000/016B3780'))).toBe('0/16B3780');
    expect(parseLsn('1/0') - 1n).toBe(0xffffffffn);
    expect(formatLsn(parseLsn('1/0') - 1n)).toBe('0/FFFFFFFF');
    expect(() => parseLsn('nope')).toThrow(/not an LSN/);
  });
});
