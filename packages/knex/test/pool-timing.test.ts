import { describe, expect, it } from 'vitest';
import { POOL_TIMING, type PoolTiming } from '../src/handler.js';
import { PoolTimer } from '../src/pool-timing.js';

function timer() {
  const recorded: Array<[PoolTiming, number]> = [];
  return { recorded, timer: new PoolTimer((timing, seconds) => recorded.push([timing, seconds])) };
}

describe('PoolTimer (tarn events → pool durations)', () => {
  it('pairs each acquire with its own request id, and each release with its connection', () => {
    const { recorded, timer: t } = timer();
    const a = {};
    const b = {};
    t.acquireRequested(1);
    t.acquireRequested(2);
    t.acquired(2, b);
    t.acquired(1, a);
    t.released(a);
    t.released(a);
    expect(recorded.map(([timing]) => timing)).toEqual([POOL_TIMING.WAIT, POOL_TIMING.WAIT, POOL_TIMING.USE]);
    expect(recorded.every(([, seconds]) => seconds >= 0 && seconds < 1)).toBe(true);
  });

  it('times creates, and ignores events it never saw start (or whose slot a newer request took)', () => {
    const { recorded, timer: t } = timer();
    t.createRequested(7);
    t.created(7);
    t.created(8);
    t.acquired(99, {});
    t.released({});
    t.acquireRequested(3);
    t.acquireRequested(3 + 1024);
    t.acquired(3, {});
    t.acquired('x', null);
    expect(recorded.map(([timing]) => timing)).toEqual([POOL_TIMING.CREATE]);
  });
});
