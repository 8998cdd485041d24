/**
 * Wall-clock time in an IANA time zone, fast enough to render a year of shifts for many
 * schedules. "Wall" milliseconds are a local date and time written as if it were UTC, so
 * calendar arithmetic (next day, 09:00 on Monday) is plain addition; converting to and from
 * real instants goes through the zone's offsets, which luxon reads from the runtime's tz data.
 * Offsets are cached per UTC day, with the instant of any change within the day found once.
 */
import type { IANAZone } from 'luxon';
import { lazy } from './lazy.js';

const luxon = lazy<typeof import('luxon')>('luxon');

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Days of offsets kept per zone: about fifty years. */
const MAX_CACHED_DAYS = 20_000;

interface DayOffsets {
  /** Offset in minutes from the start of the day until `change` (or all day). */
  before: number;
  after: number;
  change: number;
}

export class TimeZone {
  private static readonly zones = new Map<string, TimeZone>();
  private readonly days = new Map<number, DayOffsets>();

  private constructor(
    readonly name: string,
    private readonly zone: IANAZone,
  ) {}

  static isValid(name: string): boolean {
    return luxon().IANAZone.isValidZone(name);
  }

  /** The zone by its IANA name (`Europe/Berlin`, `UTC`); throws on an unknown name. */
  static of(name: string): TimeZone {
    let tz = TimeZone.zones.get(name);
    if (!tz) {
      const { IANAZone: Zone } = luxon();
      if (!Zone.isValidZone(name)) throw new RangeError(`Unknown time zone '${name}'`);
      tz = new TimeZone(name, Zone.create(name));
      TimeZone.zones.set(name, tz);
    }
    return tz;
  }

  /** The zone's offset from UTC at an instant, in minutes. */
  offset(utc: number): number {
    const day = Math.floor(utc / DAY);
    let d = this.days.get(day);
    if (!d) {
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      d = this.scan(day);
      this.days.set(day, d);
    }
    return utc < d.change ? d.before : d.after;
  }

  toWall(utc: number): number {
    return utc + this.offset(utc) * MINUTE;
  }

  /**
   * The instant a wall time names. A time that happens twice (clocks going back) is its first
   * occurrence; a time that never happens (clocks going forward) is the moment of the change, so
   * the mapping never goes backwards and a shift across the gap keeps its true length.
   */
  toUtc(wall: number): number {
    const early = this.offset(wall - DAY);
    const late = this.offset(wall + DAY);
    const first = wall - early * MINUTE;
    if (early === late || this.offset(first) === early) {
      const second = wall - late * MINUTE;
      return early !== late && this.offset(second) === late ? Math.min(first, second) : first;
    }
    const second = wall - late * MINUTE;
    if (this.offset(second) === late) return second;
    return this.changeBetween(Math.min(first, second), Math.max(first, second));
  }

  /** An instant written in this zone's local time with its offset: `2026-03-29T09:00:00+02:00`. */
  format(utc: number): string {
    const offset = this.offset(utc);
    const local = new Date(utc + offset * MINUTE).toISOString().slice(0, 19);
    if (offset === 0) return `${local}Z`;
    const abs = Math.abs(offset);
    const hh = String(Math.floor(abs / 60)).padStart(2, '0');
    const mm = String(abs % 60).padStart(2, '0');
    return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
  }

  private scan(day: number): DayOffsets {
    const start = day * DAY;
    const before = this.zone.offset(start);
    const after = this.zone.offset(start + DAY);
    if (before === after) return { before, after, change: start + DAY };
    return { before, after, change: this.changeBetween(start, start + DAY) };
  }

  /** The first whole minute in (lo, hi] whose offset differs from lo's. */
  private changeBetween(lo: number, hi: number): number {
    const from = this.zone.offset(lo);
    let a = Math.floor(lo / MINUTE);
    let b = Math.ceil(hi / MINUTE);
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.zone.offset(mid * MINUTE) === from) a = mid;
      else b = mid;
    }
    return b * MINUTE;
  }
}
