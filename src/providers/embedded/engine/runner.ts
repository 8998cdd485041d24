/**
 * The engine as one unit that runs in every long-lived mode (`vigil serve` and stdio): its loop,
 * its lease and its wake-ups. Callers only start and stop it.
 *
 * On PostgreSQL every process works: checks, outbox facts and deliveries are claimed in small
 * batches, escalations move by conditional updates, so nodes share the load and a dead node's
 * claims lapse within seconds. On SQLite (one machine) only the holder of the engine lease works;
 * the others serve MCP and take over when it goes. Either way the lease holder alone runs the
 * sweeps that compare the whole store with what it should be.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../../core/log.js';
import type { CheckScheduler } from '../checks/scheduler.js';
import type { LeaseRepository } from '../store/lease.js';
import type { Engine } from './engine.js';

/** A lease lasts this long unless renewed, and is renewed three times in that while. */
export const LEASE_TTL_MS = 6_000;
/** The longest the engine sleeps: work written by other processes is seen within this. */
const POLL_MS = 1_000;
/** New work from this process is picked up this soon, several writes sharing one pass. */
const NUDGE_MS = 20;

export class EngineRunner {
  /** Names this process in the lease and in logs. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private expiresAt = 0;
  private leader = false;
  private working = false;
  private started = false;
  private stopped = false;
  private busy = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private nudged: NodeJS.Timeout | undefined;
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: {
      engine: Engine;
      scheduler: CheckScheduler;
      lease: LeaseRepository;
      log: Logger;
      /** Several processes may work at once (PostgreSQL); otherwise only the lease holder does. */
      shared: boolean;
    },
  ) {}

  /** Whether this process holds the engine lease now (by its own clock, so never two at once). */
  get leads(): boolean {
    return this.leader && Date.now() < this.expiresAt;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.engine.onWork(() => {
      this.nudged ??= setTimeout(() => {
        this.nudged = undefined;
        void this.work();
      }, NUDGE_MS);
    });
    if (this.opts.shared) this.setWorking(true);
    void this.renew().then(() => this.work());
    this.renewal = setInterval(() => void this.renew(), LEASE_TTL_MS / 3);
    this.renewal.unref();
  }

  /** Stops taking work, waits for the pass and the checks under way, and lets the lease go. */
  async stop(): Promise<void> {
    if (!this.started || this.stopped) return;
    this.stopped = true;
    this.opts.engine.onWork(undefined);
    clearInterval(this.renewal);
    clearTimeout(this.timer);
    clearTimeout(this.nudged);
    await this.opts.engine.idle();
    await this.opts.scheduler.stop();
    if (this.leader) await this.opts.lease.release('engine', this.holder).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      const held = await this.opts.lease.acquire('engine', this.holder, LEASE_TTL_MS);
      this.expiresAt = held?.expiresAt ?? 0;
      this.setLeader(held !== undefined);
    } catch (err) {
      this.opts.log.warn({ err }, 'engine lease renewal failed');
      this.setLeader(Date.now() < this.expiresAt);
    }
  }

  private setLeader(now: boolean): void {
    if (now === this.leader) return;
    this.leader = now;
    if (!this.opts.shared) this.setWorking(now);
    const { holder } = this;
    if (this.opts.shared) {
      this.opts.log.info(
        { holder },
        now ? 'this process now runs the engine sweeps' : 'another process runs the engine sweeps',
      );
    } else {
      this.opts.log.info(
        { holder },
        now ? 'this process now runs the engine' : 'another process runs the engine; serving MCP only',
      );
    }
  }

  private setWorking(now: boolean): void {
    if (now === this.working || this.stopped) return;
    this.working = now;
    if (now) this.opts.scheduler.start();
    else void this.opts.scheduler.stop();
  }

  /** Runs a pass, then sleeps until the next thing falls due (at most POLL_MS). */
  private async work(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    clearTimeout(this.timer);
    let wait = POLL_MS;
    do {
      this.again = false;
      const works = this.opts.shared || this.leads;
      if (works && !this.stopped) wait = await this.pass();
    } while (this.again && !this.stopped);
    this.busy = false;
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.work(), wait);
    this.timer.unref();
  }

  /** A pass; answers how long to sleep after it. */
  private async pass(): Promise<number> {
    const { engine, log } = this.opts;
    try {
      const { startedAt, more } = await engine.tick({ sweeps: this.leads });
      if (more) return 0;
      const next = await engine.nextDue();
      // Due before the pass began and still there: something it cannot take; do not spin on it.
      if (next === undefined || next <= startedAt) return POLL_MS;
      return Math.min(POLL_MS, Math.max(0, next - Date.now()));
    } catch (err) {
      log.error({ err }, 'engine pass failed');
      return POLL_MS;
    }
  }
}
