/**
 * Group commit: work submitted while a flush is running waits, and the next flush takes all of
 * it at once, so that many callers share one transaction (and one fsync) instead of queueing
 * for one each. Each caller still gets its own outcome.
 *
 * Invariant: at most one flush runs at a time, so a flush never races another flush of this
 * queue (on SQLite, and for dedup keys within one process on PostgreSQL).
 */

/** Flushes a batch; answers one settled outcome per item, in the items' order. */
export type FlushBatch<T, R> = (items: readonly T[]) => Promise<PromiseSettledResult<R>[]>;

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  /** A drain is scheduled or running. */
  private busy = false;

  /** `maxBatch` bounds one flush (statement size, and how long one transaction holds the store). */
  constructor(
    private readonly flush: FlushBatch<T, R>,
    private readonly maxBatch = 128,
  ) {}

  /** Resolves (or rejects) once the flush that took `item` has finished. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.busy) return; // the running drain takes it
      this.busy = true;
      // Not at once but after this turn of the event loop, so that everything that arrived in
      // it joins: better-sqlite3 runs a whole flush synchronously, and while it runs nothing
      // new can arrive, so a batch only forms from what the turn before it read.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        let outcomes: PromiseSettledResult<R>[];
        try {
          outcomes = await this.flush(batch.map((w) => w.item));
          if (outcomes.length !== batch.length) {
            throw new Error(`flush answered ${outcomes.length} outcomes for ${batch.length} items`);
          }
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        batch.forEach((w, i) => {
          const outcome = outcomes[i] as PromiseSettledResult<R>;
          if (outcome.status === 'fulfilled') w.resolve(outcome.value);
          else w.reject(outcome.reason);
        });
      }
    } finally {
      this.busy = false;
    }
  }
}
