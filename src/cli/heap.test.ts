import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { favourMemory } from './heap.js';

describe('favourMemory', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs its early full GC without leaving gc exposed to contexts made later', () => {
    vi.useFakeTimers();
    favourMemory();
    expect(vi.getTimerCount()).toBe(1);
    vi.runAllTimers();
    expect(vi.getTimerCount()).toBe(0);
    // A context made now (a script's sandbox, say) must not get a gc() to call.
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
