import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../src/lsn.js';
import { StreamingPgoutputPlugin, type WireMessage } from '../src/pgoutput.js';
import { MemoryGauge, SpillDirectory } from '../src/spool.js';
import { TransactionRouter, type CommittedTransaction } from '../src/transaction.js';

// pgoutput protocol 2 messages built byte by byte (protocol-logicalrep-message-formats), so the
// wire reading is tested without a server; the suites beside this one run the real one.
const TEXT_OID = 25;
const INT4_OID = 23;

function bytes(...parts: (Buffer | number[])[]): Buffer {
  return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
}
const int8 = (v: number) => Buffer.from([v]);
const int16 = (v: number) => Buffer.from([(v >> 8) & 0xff, v & 0xff]);
const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const int64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
const str = (s: string) => Buffer.from(`${s}\0`);
const tag = (c: string) => Buffer.from(c, 'latin1');
const xidPart = (xid?: number) => (xid === undefined ? Buffer.alloc(0) : int32(xid));

const relation = (oid: number, name: string, xid?: number) =>
  bytes(tag('R'), xidPart(xid), int32(oid), str('public'), str(name), tag('d'), int16(2), int8(1), str('id'), int32(INT4_OID), int32(-1), int8(0), str('note'), int32(TEXT_OID), int32(-1));
const insert = (oid: number, id: number, note: string, xid?: number) =>
  bytes(tag('I'), xidPart(xid), int32(oid), tag('N'), int16(2), tag('t'), int32(String(id).length), Buffer.from(String(id)), tag('t'), int32(Buffer.byteLength(note)), Buffer.from(note));
const message = (prefix: string, content: string, xid?: number) =>
  bytes(tag('M'), xidPart(xid), int8(1), int64(0x100n), str(prefix), int32(Buffer.byteLength(content)), Buffer.from(content));
const begin = (xid: number, lsn: bigint) => bytes(tag('B'), int64(lsn), int64(1_000_000n), int32(xid));
const commit = (lsn: bigint, end: bigint) => bytes(tag('C'), int8(0), int64(lsn), int64(end), int64(1_000_000n));
const streamStart = (xid: number, first: boolean) => bytes(tag('S'), int32(xid), int8(first ? 1 : 0));
const streamStop = () => tag('E');
const streamCommit = (xid: number, lsn: bigint, end: bigint, time: bigint) => bytes(tag('c'), int32(xid), int8(0), int64(lsn), int64(end), int64(time));
const streamAbort = (xid: number, subxid: number) => bytes(tag('A'), int32(xid), int32(subxid));

describe('pgoutput streaming messages and the transaction router (wire bytes, no server)', () => {
  let dir: string;
  let plugin: StreamingPgoutputPlugin;
  let gauge: MemoryGauge;
  let router: TransactionRouter;
  const committed: CommittedTransaction[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgcdc-unit-'));
    plugin = new StreamingPgoutputPlugin({ publicationNames: ['p'], streaming: true });
    gauge = new MemoryGauge(() => undefined);
    // 64 bytes in memory per spool: everything past a couple of rows goes to the spill file.
    router = new TransactionRouter({ tracePrefix: 'threadline.trace', spill: new SpillDirectory(dir), memory: gauge, spoolMemory: 64, parse: (raw) => plugin.parseRaw(raw) });
    committed.length = 0;
  });
  afterEach(async () => {
    await router.reset();
    await rm(dir, { recursive: true, force: true });
  });

  const feed = async (...buffers: Buffer[]) => {
    for (const buffer of buffers) {
      const done = await router.push(plugin.parse(buffer) as unknown as WireMessage);
      if (done) committed.push(done);
    }
  };
  const collect = async (tx: CommittedTransaction, chunkBytes: number) => {
    const parts: { ids: unknown[]; messages: string[]; last: boolean }[] = [];
    for await (const part of tx.parts(chunkBytes)) parts.push({ ids: part.changes.map((c) => c.new?.id), messages: part.messages.map((m) => m.prefix), last: part.last });
    return parts;
  };

  it('reads a plain BEGIN … COMMIT: carriers apart from other messages, commit position and time', async () => {
    await feed(begin(731, 0x16b3750n), relation(16384, 'orders'), message('threadline.trace', '{"traceparent":"x"}'), insert(16384, 1, 'a'), message('app.audit', 'hi'), insert(16384, 2, 'b'));
    expect(router.inTransaction).toBe(true);
    await feed(commit(0x16b3750n, 0x16b3780n));
    expect(router.inTransaction).toBe(false);
    const [tx] = committed;
    expect(tx).toMatchObject({ xid: 731, lsn: '0/16B3750', endLsn: 0x16b3780n, carriers: ['{"traceparent":"x"}'] });
    expect(tx!.commitTime.toISOString()).toBe('2000-01-01T00:00:01.000Z');
    expect(await collect(tx!, Infinity)).toEqual([{ ids: [1, 2], messages: ['app.audit'], last: true }]);
    expect(gauge.current).toBe(0);
  });

  it('spools interleaved streamed transactions, cuts an aborted subtransaction, drops an aborted transaction, replays in chunks', async () => {
    const top = 900;
    const sub = 901;
    const other = 950;
    await feed(streamStart(top, true), relation(16384, 'orders', top), message('threadline.trace', '{"traceparent":"w"}', top));
    for (let id = 1; id <= 5; id++) await feed(insert(16384, id, 'x'.repeat(20), top));
    await feed(streamStop(), streamStart(other, true), relation(16384, 'orders', other), insert(16384, 1000, 'gone', other), streamStop());
    // The subtransaction writes rows 6-8 and a carrier, then rolls back; row 9 is the parent's again.
    await feed(streamStart(top, false));
    for (let id = 6; id <= 8; id++) await feed(insert(16384, id, 'y', sub));
    await feed(message('threadline.trace', '{"traceparent":"sub"}', sub), streamStop(), streamAbort(top, sub));
    await feed(streamStart(top, false), insert(16384, 9, 'z', top), streamStop());
    expect(router.inTransaction).toBe(true);
    await feed(streamAbort(other, other));
    expect(committed).toHaveLength(0);
    expect(await readdir(join(dir, (await readdir(dir))[0]!))).toHaveLength(1);
    await feed(streamCommit(top, 0x2000n, 0x2100n, 5_000_000n));
    expect(router.inTransaction).toBe(false);
    const [tx] = committed;
    expect(tx).toMatchObject({ xid: top, lsn: '0/2000', endLsn: 0x2100n, carriers: ['{"traceparent":"w"}'] });
    expect(tx!.commitTime.toISOString()).toBe('2000-01-01T00:00:05.000Z');
    // Rows 1-5 spool 8 + 39 bytes each, row 9 8 + 20: 100-byte chunks hold two rows.
    expect(await collect(tx!, 100)).toEqual([
      { ids: [1, 2], messages: [], last: false },
      { ids: [3, 4], messages: [], last: false },
      { ids: [5, 9], messages: [], last: true },
    ]);
    expect(gauge.current).toBe(0);
    // At most a spool's in-memory tail (64 bytes and the record that crossed it) plus one chunk.
    expect(gauge.peak).toBeLessThanOrEqual(64 + 47 + 100);
    expect(await readdir(join(dir, (await readdir(dir))[0]!))).toHaveLength(0);
  });

  it('a protocol violation becomes a parse_error message instead of a throw inside the socket parser', () => {
    expect(plugin.parse(Buffer.from([0x7a, 1, 2])).tag).toBe('parse_error');
    expect((plugin.parse(insert(99999, 1, 'no relation')) as unknown as WireMessage).tag).toBe('raw');
    expect(() => plugin.parseRaw(insert(99999, 1, 'no relation'))).toThrow(/missing relation/);
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
