/**
 * Runs active checks on their interval. Checks are claimed from the store shortly before they are
 * due (several processes on one PostgreSQL database each claim their share) and each starts at
 * its due time; at most `concurrency` run at once. Claims are short and renewed while a check
 * runs, so a dead process's checks run elsewhere within seconds; a result whose claim lapsed is
 * dropped when recorded. A failure that would take a healthy check down is run once more before
 * it counts. Results are recorded together in one transaction, once enough wait or the oldest has
 * waited a second, and the nodes sharing the checks pace their polls by how many they are: so
 * batches keep their size and polls their rate however many nodes share the checks, and the
 * database reads the same per run (docs/BENCHMARKS.md, section 12).
 */
import { randomBytes } from 'node:crypto';
import { type CheckState, wantsRetry } from '../../../core/check-state.js';
import type { ProbeResult } from '../../../core/checks.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { CheckRuns, ClaimedCheck, Run, StatusChange } from '../store/check-runs.js';
import { runProbe } from './probes/index.js';
import type { SyntheticBrowser } from './synthetic/browser.js';

/** How far ahead checks are taken from the store, and how often it is asked, by one node alone. */
const LOOKAHEAD_MS = 500;
/**
 * With n nodes running checks, each asks n times less often and looks n times as far ahead: a
 * poll costs the database about the same however few checks it takes, so together they poll as
 * often as one node would, and each alone would still take every check before it is due. At most
 * this many times, so a dead node's checks wait at most CLAIM_MS and 1.5 s for another's poll.
 */
const PACE_NODES_MAX = 4;
const FLUSH_MS = 200;
/** Results are recorded once this many wait, or once the oldest has waited RECORD_WAIT_MS. */
const RECORD_BATCH = 50;
const RECORD_WAIT_MS = 1_000;
const PRUNE_EVERY_MS = 3_600_000;
/**
 * A claim lasts this long unless renewed. Every RENEW_MS the claims that would lapse before the
 * tick after next are renewed: most runs end well inside their first claim and are never renewed
 * (a renewal is a row write, which the shared database pays for).
 */
export const CLAIM_MS = 8_000;
const RENEW_MS = 2_000;
/** A node counts as running checks this long after it was last seen; it is seen at each renewal. */
const NODE_SEEN_MS = 3 * RENEW_MS;

export interface SchedulerOptions {
  concurrency: number;
  blockPrivate: boolean;
  /** Synthetic checks' browser, closed when the scheduler stops. */
  browser?: SyntheticBrowser | undefined;
  /** Raw results older than this are dropped, and heartbeat pings alike. */
  retentionMs: number;
  /** Drops heartbeat pings received before a time; answers how many. */
  prunePings?: (before: number) => Promise<number>;
  /** A check's secrets, as `{{NAME}}` variables of its requests. */
  variablesFor?: (checkId: string) => Promise<Record<string, string>>;
  onChanges?: (changes: StatusChange[]) => void;
  /** Old results are pruned by one process only: this answers whether it is this one. */
  prunes?: () => boolean;
}

export class CheckScheduler {
  /** Checks claimed and not yet recorded, with the token of their claim and when it lapses. */
  private readonly inFlight = new Map<string, { token: string; until: number }>();
  private readonly probes = new Set<Promise<void>>();
  private done: Run[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flusher: NodeJS.Timeout | undefined;
  private renewer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** When the oldest result not yet recorded came (wall-clock milliseconds). */
  private oldestDone = 0;
  private running = false;
  /** Each start begins a new loop; a loop from before a stop ends when it sees a newer one. */
  private generation = 0;
  private lastPrune = 0;
  /** This process, as the other nodes count it; and how many nodes run checks, as last seen. */
  private readonly node = randomBytes(12).toString('base64url');
  private nodes = 1;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly runs: CheckRuns,
    private readonly opts: SchedulerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.flusher = setInterval(() => {
      const full = this.done.length >= RECORD_BATCH;
      if (full || (this.done.length && Date.now() - this.oldestDone >= RECORD_WAIT_MS)) void this.flush();
    }, FLUSH_MS);
    this.flusher.unref();
    this.renewer = setInterval(() => {
      void this.renew();
      void this.countNodes();
    }, RENEW_MS);
    this.renewer.unref();
    void this.countNodes();
    void this.loop(++this.generation);
  }

  /** Stops taking checks; waits for the ones running and records them. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.flusher);
    clearInterval(this.renewer);
    await Promise.all(this.probes);
    await this.flush();
    await this.runs.leaveCheckNodes(this.node).catch((err: unknown) => {
      this.log.warn({ err }, 'leaving the nodes that run checks failed');
    });
    await this.opts.browser?.close();
  }

  /** Runs every check due by now and records the results: one pass, for tests and tools. */
  async runDue(): Promise<number> {
    const started = await this.take(this.clock.now(), false);
    await Promise.all(this.probes);
    await this.flush();
    return started;
  }

  private async loop(generation: number): Promise<void> {
    if (!this.running || generation !== this.generation) return;
    const lookahead = LOOKAHEAD_MS * Math.min(this.nodes, PACE_NODES_MAX);
    try {
      await this.take(this.clock.now() + lookahead, true);
      if ((this.opts.prunes?.() ?? true) && this.clock.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = this.clock.now();
        const cutoff = this.clock.now() - this.opts.retentionMs;
        const pruned = await this.runs.prune(cutoff);
        // Heartbeat pings (bodies of up to 10 KB, sent by anyone with the URL) age out alike.
        const pings = (await this.opts.prunePings?.(cutoff)) ?? 0;
        if (pruned || pings) this.log.info({ pruned, pings }, 'old check results and pings dropped');
      }
    } catch (err) {
      this.log.error({ err }, 'check scheduling failed');
    }
    if (this.running && generation === this.generation) {
      // Jittered (a quarter to three quarters of the lookahead): each poll takes what fell due
      // since anyone's last, so nodes polling in fixed step would keep fixed, unequal shares.
      const wait = (lookahead / 4) * (1 + 2 * Math.random());
      this.timer = setTimeout(() => void this.loop(generation), wait);
      this.timer.unref();
    }
  }

  /** Claims the checks due by `until` and starts them; each waits for its due time when `timed`. */
  private async take(until: number, timed: boolean): Promise<number> {
    const room = this.opts.concurrency - this.inFlight.size;
    if (room <= 0) return 0;
    const token = randomBytes(12).toString('base64url');
    const now = this.clock.now();
    const due = await this.runs.claimDue(token, now, until, room, CLAIM_MS);
    // Stopped while claiming: let them go, or they would wait out their claim before running elsewhere.
    if (timed && !this.running) {
      await this.runs.release(
        token,
        due.map((c) => c.id),
      );
      return 0;
    }
    // Which process took which claims: how the share across nodes is seen (test/e2e/nodes.test.ts).
    if (due.length) this.log.debug({ claimed: due.length, token }, 'checks claimed');
    for (const check of due) {
      this.inFlight.set(check.id, { token, until: now + CLAIM_MS });
      const dueAt = check.next_run_at as number;
      const wait = timed ? Math.max(0, dueAt - this.clock.now()) : 0;
      const probe = new Promise<void>((resolve) => setTimeout(resolve, wait))
        .then(() => this.run(check, dueAt, token))
        .catch((err: unknown) => {
          this.log.error({ err, check: check.id }, 'check run failed');
          this.inFlight.delete(check.id);
        })
        .finally(() => this.probes.delete(probe));
      this.probes.add(probe);
    }
    return due.length;
  }

  /** Says this node runs checks, and learns how many do: how often it polls (PACE_NODES_MAX). */
  private async countNodes(): Promise<void> {
    try {
      const now = this.clock.now();
      this.nodes = await this.runs.checkNodes(this.node, now, now + NODE_SEEN_MS);
    } catch (err) {
      this.log.warn({ err }, 'counting the nodes that run checks failed');
    }
  }

  /**
   * Keeps the claims of the checks running here that would lapse before the tick after next. In
   * turn with recording: a run being recorded releases its own claim, which a renewal beside it
   * would count as lost to another process.
   */
  private renew(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const now = this.clock.now();
      const byToken = new Map<string, string[]>();
      for (const [id, claim] of this.inFlight)
        if (claim.until - now < 2 * RENEW_MS)
          byToken.set(claim.token, [...(byToken.get(claim.token) ?? []), id]);
      const until = now + CLAIM_MS;
      try {
        for (const [token, ids] of byToken) {
          const held = await this.runs.renew(token, ids, until);
          for (const id of ids) {
            const claim = this.inFlight.get(id);
            if (claim) claim.until = until;
          }
          if (held < ids.length)
            this.log.warn({ lost: ids.length - held }, 'check claims lapsed; another process runs them');
        }
      } catch (err) {
        this.log.warn({ err }, 'renewing check claims failed');
      }
    });
    return this.flushing;
  }

  private async run(check: ClaimedCheck & CheckState, dueAt: number, token: string): Promise<void> {
    let variables: Record<string, string> | undefined;
    try {
      variables = await this.opts.variablesFor?.(check.id);
    } catch (err) {
      // A secret that no longer decrypts (VIGIL_SECRET_KEY changed): the run fails, the server does not.
      this.log.error({ err, check: check.id }, 'reading the secrets of a check failed');
      this.finished({
        checkId: check.id,
        token,
        dueAt,
        at: this.clock.now(),
        result: {
          status: 'failed',
          response_time: 0,
          error_message: `The check's secrets could not be read (was VIGIL_SECRET_KEY changed?): ${(err as Error).message}`,
          check_metadata: {},
        },
      });
      return;
    }
    const target = {
      type: check.type,
      url: check.url,
      host: check.host,
      port: check.port,
      timeout: check.timeout,
      parameters: JSON.parse(check.parameters) as Record<string, unknown>,
      variables,
    };
    const probe = () =>
      runProbe(target, { blockPrivate: this.opts.blockPrivate, browser: this.opts.browser });
    let result: ProbeResult = await probe();
    if (wantsRetry(check, result.status)) {
      const first = result;
      result = await probe();
      result.check_metadata = {
        ...result.check_metadata,
        retried_after: { status: first.status, error: first.error_message },
      };
    }
    this.finished({ checkId: check.id, token, dueAt, at: this.clock.now(), result });
  }

  private finished(run: Run): void {
    if (this.done.length === 0) this.oldestDone = Date.now();
    this.done.push(run);
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.done.length === 0) return;
      const batch = this.done;
      this.done = [];
      try {
        const { changes, fenced } = await this.runs.record(batch);
        if (fenced)
          this.log.warn({ fenced }, 'results dropped: their claims lapsed and another process took them');
        if (changes.length) this.opts.onChanges?.(changes);
      } catch (err) {
        // Not recorded: the claims lapse and the checks run again, here or elsewhere.
        this.log.error({ err, runs: batch.length }, 'recording check results failed');
      } finally {
        // Only now may these checks be taken again: their next run is in the store.
        for (const run of batch) this.inFlight.delete(run.checkId);
      }
    });
    return this.flushing;
  }
}
