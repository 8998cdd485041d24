/**
 * Time as the engine sees it: the system clock in production, a controlled one in tests.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
