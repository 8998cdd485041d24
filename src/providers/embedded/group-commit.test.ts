/**
 * The group-commit queue: one flush at a time, everything that waited goes in the next one,
 * and every caller gets its own outcome.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A flush the test finishes by hand, recording each batch it was given. */
function manualFlush() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const flush = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => pending.push(resolve));
    return items.map((n) =>
      n < 0
        ? ({ status: 'rejected', reason: new Error(`bad ${n}`) } as const)
        : ({ status: 'fulfilled', value: n * 10 } as const),
    );
  };
  /** Lets the running flush finish, then lets the queue start the next one. */
  const finishNext = async () => {
    pending.shift()?.();
    await nextTurn();
  };
  return { batches, flush, finishNext, running: () => pending.length };
}

describe('GroupCommit', () => {
  it('batches what arrives in one turn, and then what arrived while a flush ran', async () => {
    const m = manualFlush();
    const queue = new GroupCommit(m.flush);
    const first = [queue.submit(1), queue.submit(2)];
    expect(m.batches).toEqual([]);
    await nextTurn();
    expect(m.batches).toEqual([[1, 2]]);
    const rest = [3, 4, 5].map((n) => queue.submit(n));
    await m.finishNext();
    expect(await Promise.all(first)).toEqual([10, 20]);
    expect(m.batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(m.running()).toBe(1);
    await m.finishNext();
    expect(await Promise.all(rest)).toEqual([30, 40, 50]);
    expect(m.running()).toBe(0);
    // Idle again: the next item starts a flush of its own.
    const last = queue.submit(6);
    await nextTurn();
    expect(m.batches.at(-1)).toEqual([6]);
    await m.finishNext();
    expect(await last).toBe(60);
  });

  it('gives each caller its own outcome: one failure does not fail the others', async () => {
    const m = manualFlush();
    const queue = new GroupCommit(m.flush);
    const results = [5, -1, 6].map((n) => queue.submit(n).then(String, (e: Error) => e.message));
    await nextTurn();
    await m.finishNext();
    expect(m.batches).toEqual([[5, -1, 6]]);
    expect(await Promise.all(results)).toEqual(['50', 'bad -1', '60']);
  });

  it('rejects the whole batch when the flush itself throws, and goes on with the next', async () => {
    let calls = 0;
    const queue = new GroupCommit<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('store down');
      return items.map((n) => ({ status: 'fulfilled', value: n }));
    });
    const a = queue.submit(1);
    await expect(a).rejects.toThrow('store down');
    expect(await queue.submit(2)).toBe(2);
  });

  it('takes at most maxBatch items per flush', async () => {
    const m = manualFlush();
    const queue = new GroupCommit(m.flush, 2);
    const all = [1, 2, 3, 4, 5].map((n) => queue.submit(n));
    await nextTurn();
    for (let i = 0; i < 3; i++) await m.finishNext();
    expect(m.batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });
});
