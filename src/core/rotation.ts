/**
 * Who is on call when: a schedule's layers rendered into shifts for a window, and the final
 * schedule (later layers above earlier ones, overrides above all).
 *
 * Turns and restrictions are counted in the schedule's local time: a 09:00 handoff stays at 09:00
 * across a DST change, so the turn spanning the change is an hour shorter or longer, and a
 * "weekdays 09:00–17:00" restriction means that local time on every weekday.
 */
import { DAY, type TimeZone, WEEK } from './time-zone.js';

export const RESTRICTION_TYPES = ['daily_restriction', 'weekly_restriction'] as const;

export interface Restriction {
  type: (typeof RESTRICTION_TYPES)[number];
  /** Local time the window opens, `HH:MM:SS`. */
  start_time_of_day: string;
  duration_seconds: number;
  /** ISO day of the week the window opens (1 = Monday); weekly restrictions only. */
  start_day_of_week?: number | undefined;
}

export interface LayerSpec {
  /** Instants in milliseconds; `end` null for a layer with no end. */
  start: number;
  end: number | null;
  virtualStart: number;
  turnSeconds: number;
  userIds: readonly string[];
  restrictions: readonly Restriction[];
}

export interface OverrideSpec {
  start: number;
  end: number;
  userId: string;
}

export interface Span {
  start: number;
  end: number;
  userId: string;
}

/** Seconds since local midnight of `HH:MM:SS`. */
export function timeOfDaySeconds(text: string): number {
  const [h = 0, m = 0, s = 0] = text.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}

/** The restriction windows overlapping [fromWall, toWall), in wall time, sorted and merged. */
function windows(restrictions: readonly Restriction[], fromWall: number, toWall: number): [number, number][] {
  const out: [number, number][] = [];
  for (const r of restrictions) {
    const offset = timeOfDaySeconds(r.start_time_of_day) * 1000;
    const length = r.duration_seconds * 1000;
    const weekly = r.type === 'weekly_restriction';
    const period = weekly ? WEEK : DAY;
    // The Unix epoch was a Thursday: Monday 1970-01-05 starts the weeks.
    const origin = weekly ? 4 * DAY + ((r.start_day_of_week ?? 1) - 1) * DAY + offset : offset;
    let k = Math.floor((fromWall - origin - length) / period);
    for (let start = origin + k * period; start < toWall; start = origin + ++k * period) {
      if (start + length > fromWall) out.push([start, start + length]);
    }
  }
  out.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of out) {
    const last = merged.at(-1);
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else merged.push(w);
  }
  return merged;
}

/** One layer's shifts within [from, to). */
export function renderLayer(layer: LayerSpec, tz: TimeZone, from: number, to: number): Span[] {
  const lo = Math.max(from, layer.start);
  const hi = layer.end === null ? to : Math.min(to, layer.end);
  if (lo >= hi || layer.userIds.length === 0) return [];
  const turn = layer.turnSeconds * 1000;
  const origin = tz.toWall(layer.virtualStart);
  // A day either side: wall time runs up to a day apart from the instant it names.
  const fromWall = tz.toWall(lo) - DAY;
  const toWall = tz.toWall(hi) + DAY;
  const open: [number, number][] = layer.restrictions.length
    ? windows(layer.restrictions, fromWall, toWall)
    : [[fromWall, toWall]];
  const spans: Span[] = [];
  const n = layer.userIds.length;
  for (const [wStart, wEnd] of open) {
    let k = Math.floor((wStart - origin) / turn);
    for (let s = wStart; s < wEnd; k++) {
      const e = Math.min(wEnd, origin + (k + 1) * turn);
      const start = Math.max(lo, tz.toUtc(s));
      const end = Math.min(hi, tz.toUtc(e));
      if (start < end) push(spans, { start, end, userId: layer.userIds[((k % n) + n) % n] as string });
      s = e;
    }
  }
  return spans;
}

/** Appends a span, joining it to the last one when the same user carries on. */
function push(spans: Span[], span: Span): void {
  const last = spans.at(-1);
  if (last && last.userId === span.userId && last.end >= span.start) last.end = Math.max(last.end, span.end);
  else spans.push(span);
}

/**
 * Stacks sources of spans, each sorted and non-overlapping, the later above the earlier: at every
 * instant the topmost source with a span there decides.
 */
export function stack(sources: readonly (readonly Span[])[]): Span[] {
  const points = new Set<number>();
  for (const source of sources) {
    for (const s of source) points.add(s.start).add(s.end);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const cursor = sources.map(() => 0);
  const out: Span[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const at = sorted[i] as number;
    for (let j = sources.length - 1; j >= 0; j--) {
      const source = sources[j] as readonly Span[];
      let c = cursor[j] as number;
      while (c < source.length && (source[c] as Span).end <= at) c++;
      cursor[j] = c;
      const span = source[c];
      if (span && span.start <= at) {
        push(out, { start: at, end: sorted[i + 1] as number, userId: span.userId });
        break;
      }
    }
  }
  return out;
}

export interface Rendered {
  layers: Span[][];
  overrides: Span[];
  final: Span[];
}

/** A schedule rendered for [from, to): each layer, the overrides and the final schedule. */
export function renderSchedule(
  layers: readonly LayerSpec[],
  overrides: readonly OverrideSpec[],
  tz: TimeZone,
  from: number,
  to: number,
): Rendered {
  const rendered = layers.map((l) => renderLayer(l, tz, from, to));
  // Overrides in the order they were made, each its own source: the newest wins where they meet.
  const clipped = overrides
    .map((o) => ({ start: Math.max(from, o.start), end: Math.min(to, o.end), userId: o.userId }))
    .filter((o) => o.start < o.end);
  return {
    layers: rendered,
    overrides: clipped,
    final: stack([...rendered, ...clipped.map((o) => [o])]),
  };
}

/** Share of [from, to) the spans cover, as a percentage with one decimal. */
export function coverage(spans: readonly Span[], from: number, to: number): number {
  if (to <= from) return 0;
  const covered = spans.reduce((sum, s) => sum + (Math.min(to, s.end) - Math.max(from, s.start)), 0);
  return Math.round((covered / (to - from)) * 1000) / 10;
}
