import { describe, expect, it } from 'vitest';
import { coverage, type LayerSpec, type OverrideSpec, renderSchedule, type Span } from './rotation.js';
import { TimeZone } from './time-zone.js';

// Every expectation below is written out by hand from the zone's rules for 2026:
// Europe/Berlin: CET (+01:00) until Sun 29 March 01:00Z, CEST (+02:00) until Sun 25 October 01:00Z.
// America/New_York: EST (-05:00) until Sun 8 March 07:00Z, EDT (-04:00) until Sun 1 November 06:00Z.

const t = (iso: string) => Date.parse(iso);
const layer = (over: Partial<LayerSpec> & Pick<LayerSpec, 'virtualStart' | 'turnSeconds'>): LayerSpec => ({
  start: t('2026-01-01T00:00:00Z'),
  end: null,
  userIds: ['A', 'B'],
  restrictions: [],
  ...over,
});
const shifts = (spans: Span[]) =>
  spans.map((s) => [new Date(s.start).toISOString(), new Date(s.end).toISOString(), s.userId]);

function final(
  zone: string,
  layers: LayerSpec[],
  from: string,
  to: string,
  overrides: OverrideSpec[] = [],
): string[][] {
  return shifts(renderSchedule(layers, overrides, TimeZone.of(zone), t(from), t(to)).final);
}

const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;

describe('rotations across DST changes', () => {
  it('Berlin, daily at 09:00 local: the turn into summer time is 23 hours', () => {
    const daily = layer({ virtualStart: t('2026-03-27T09:00:00+01:00'), turnSeconds: DAY_S });
    expect(final('Europe/Berlin', [daily], '2026-03-27T08:00:00Z', '2026-03-31T07:00:00Z')).toEqual([
      ['2026-03-27T08:00:00.000Z', '2026-03-28T08:00:00.000Z', 'A'],
      ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', 'B'],
      ['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z', 'A'],
      ['2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z', 'B'],
    ]);
  });

  it('Berlin, weekly on Monday 09:00 local: the week back to winter time is 169 hours', () => {
    const weekly = layer({
      virtualStart: t('2026-10-19T09:00:00+02:00'),
      turnSeconds: WEEK_S,
      userIds: ['A', 'B', 'C'],
    });
    expect(final('Europe/Berlin', [weekly], '2026-10-19T07:00:00Z', '2026-11-09T08:00:00Z')).toEqual([
      ['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z', 'A'],
      ['2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z', 'B'],
      ['2026-11-02T08:00:00.000Z', '2026-11-09T08:00:00.000Z', 'C'],
    ]);
  });

  it('New York, weekly on Monday 09:00 local across the November change', () => {
    const weekly = layer({
      virtualStart: t('2026-10-26T09:00:00-04:00'),
      turnSeconds: WEEK_S,
      userIds: ['A', 'B', 'C'],
    });
    expect(final('America/New_York', [weekly], '2026-10-26T13:00:00Z', '2026-11-09T14:00:00Z')).toEqual([
      ['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z', 'A'],
      ['2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z', 'B'],
    ]);
  });

  it('New York, daily at 02:30 local: the handoff that does not exist happens when the clocks jump', () => {
    const daily = layer({ virtualStart: t('2026-03-06T02:30:00-05:00'), turnSeconds: DAY_S });
    expect(final('America/New_York', [daily], '2026-03-06T07:30:00Z', '2026-03-10T06:30:00Z')).toEqual([
      ['2026-03-06T07:30:00.000Z', '2026-03-07T07:30:00.000Z', 'A'],
      ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', 'B'],
      ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z', 'A'],
      ['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z', 'B'],
    ]);
  });

  it('Berlin, daily at 02:30 local: the handoff that happens twice takes its first occurrence', () => {
    const daily = layer({ virtualStart: t('2026-10-23T02:30:00+02:00'), turnSeconds: DAY_S });
    expect(final('Europe/Berlin', [daily], '2026-10-24T00:30:00Z', '2026-10-27T01:30:00Z')).toEqual([
      ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', 'B'],
      ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', 'A'],
      ['2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z', 'B'],
    ]);
  });

  it('an 8-hour rotation keeps its local handoffs (00:00, 08:00, 16:00) across the change', () => {
    const shiftWork = layer({
      virtualStart: t('2026-03-28T00:00:00+01:00'),
      turnSeconds: 8 * 3600,
      userIds: ['A', 'B', 'C'],
    });
    expect(final('Europe/Berlin', [shiftWork], '2026-03-28T23:00:00Z', '2026-03-29T14:00:00Z')).toEqual([
      ['2026-03-28T23:00:00.000Z', '2026-03-29T06:00:00.000Z', 'A'],
      ['2026-03-29T06:00:00.000Z', '2026-03-29T14:00:00.000Z', 'B'],
    ]);
  });
});

describe('restrictions', () => {
  const weekdays = [1, 2, 3, 4, 5].map((day) => ({
    type: 'weekly_restriction' as const,
    start_day_of_week: day,
    start_time_of_day: '09:00:00',
    duration_seconds: 8 * 3600,
  }));

  it('weekdays 09:00–17:00 local: nobody at the weekend, and summer time moves the hours in UTC', () => {
    const office = layer({
      virtualStart: t('2026-03-23T09:00:00+01:00'),
      turnSeconds: DAY_S,
      restrictions: weekdays,
    });
    expect(final('Europe/Berlin', [office], '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      ['2026-03-27T08:00:00.000Z', '2026-03-27T16:00:00.000Z', 'A'],
      ['2026-03-30T07:00:00.000Z', '2026-03-30T15:00:00.000Z', 'B'],
    ]);
  });

  it('a weekly restriction spanning Monday 00:00 to Saturday 00:00 with a weekly rotation', () => {
    const workweek = layer({
      virtualStart: t('2026-03-02T00:00:00-05:00'),
      turnSeconds: WEEK_S,
      restrictions: [
        {
          type: 'weekly_restriction',
          start_day_of_week: 1,
          start_time_of_day: '00:00:00',
          duration_seconds: 5 * DAY_S,
        },
      ],
    });
    expect(final('America/New_York', [workweek], '2026-03-01T00:00:00Z', '2026-03-15T00:00:00Z')).toEqual([
      ['2026-03-02T05:00:00.000Z', '2026-03-07T05:00:00.000Z', 'A'],
      ['2026-03-09T04:00:00.000Z', '2026-03-14T04:00:00.000Z', 'B'],
    ]);
  });

  it('a daily night restriction crosses midnight and the turn under it decides who is on', () => {
    const nights = layer({
      virtualStart: t('2026-06-01T09:00:00Z'),
      turnSeconds: DAY_S,
      restrictions: [
        { type: 'daily_restriction', start_time_of_day: '22:00:00', duration_seconds: 10 * 3600 },
      ],
    });
    expect(final('UTC', [nights], '2026-06-01T00:00:00Z', '2026-06-02T12:00:00Z')).toEqual([
      ['2026-06-01T00:00:00.000Z', '2026-06-01T08:00:00.000Z', 'B'],
      ['2026-06-01T22:00:00.000Z', '2026-06-02T08:00:00.000Z', 'A'],
    ]);
  });
});

describe('layers and overrides', () => {
  const daily = layer({ virtualStart: t('2026-03-27T09:00:00+01:00'), turnSeconds: DAY_S });

  it('an override crossing a handoff covers the end of one turn and the start of the next', () => {
    const override = { start: t('2026-03-27T12:00:00Z'), end: t('2026-03-28T12:00:00Z'), userId: 'C' };
    expect(
      final('Europe/Berlin', [daily], '2026-03-27T08:00:00Z', '2026-03-29T07:00:00Z', [override]),
    ).toEqual([
      ['2026-03-27T08:00:00.000Z', '2026-03-27T12:00:00.000Z', 'A'],
      ['2026-03-27T12:00:00.000Z', '2026-03-28T12:00:00.000Z', 'C'],
      ['2026-03-28T12:00:00.000Z', '2026-03-29T07:00:00.000Z', 'B'],
    ]);
  });

  it('the newer of two overlapping overrides wins where they meet', () => {
    const first = { start: t('2026-03-27T10:00:00Z'), end: t('2026-03-27T14:00:00Z'), userId: 'C' };
    const second = { start: t('2026-03-27T12:00:00Z'), end: t('2026-03-27T13:00:00Z'), userId: 'D' };
    expect(
      final('Europe/Berlin', [daily], '2026-03-27T08:00:00Z', '2026-03-27T16:00:00Z', [first, second]),
    ).toEqual([
      ['2026-03-27T08:00:00.000Z', '2026-03-27T10:00:00.000Z', 'A'],
      ['2026-03-27T10:00:00.000Z', '2026-03-27T12:00:00.000Z', 'C'],
      ['2026-03-27T12:00:00.000Z', '2026-03-27T13:00:00.000Z', 'D'],
      ['2026-03-27T13:00:00.000Z', '2026-03-27T14:00:00.000Z', 'C'],
      ['2026-03-27T14:00:00.000Z', '2026-03-27T16:00:00.000Z', 'A'],
    ]);
  });

  it('a later layer covers an earlier one only where it has someone on call', () => {
    const weekend = layer({
      virtualStart: t('2026-03-27T09:00:00+01:00'),
      turnSeconds: WEEK_S,
      userIds: ['W'],
      restrictions: [
        {
          type: 'weekly_restriction',
          start_day_of_week: 6,
          start_time_of_day: '00:00:00',
          duration_seconds: 2 * DAY_S,
        },
      ],
    });
    expect(final('Europe/Berlin', [daily, weekend], '2026-03-27T08:00:00Z', '2026-03-30T08:00:00Z')).toEqual([
      ['2026-03-27T08:00:00.000Z', '2026-03-27T23:00:00.000Z', 'A'],
      ['2026-03-27T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 'W'],
      ['2026-03-29T22:00:00.000Z', '2026-03-30T07:00:00.000Z', 'A'],
      ['2026-03-30T07:00:00.000Z', '2026-03-30T08:00:00.000Z', 'B'],
    ]);
  });

  it('a layer has nobody before its start or after its end; coverage counts the gaps', () => {
    const bounded = { ...daily, start: t('2026-03-28T00:00:00Z'), end: t('2026-03-28T12:00:00Z') };
    const from = t('2026-03-27T12:00:00Z');
    const to = t('2026-03-28T12:00:00Z');
    const { final: spans } = renderSchedule([bounded], [], TimeZone.of('Europe/Berlin'), from, to);
    expect(shifts(spans)).toEqual([
      ['2026-03-28T00:00:00.000Z', '2026-03-28T08:00:00.000Z', 'A'],
      ['2026-03-28T08:00:00.000Z', '2026-03-28T12:00:00.000Z', 'B'],
    ]);
    expect(coverage(spans, from, to)).toBe(50);
  });
});

describe('TimeZone', () => {
  it('writes instants in local time with the offset in force', () => {
    const berlin = TimeZone.of('Europe/Berlin');
    expect(berlin.format(t('2026-03-29T00:59:00Z'))).toBe('2026-03-29T01:59:00+01:00');
    expect(berlin.format(t('2026-03-29T01:00:00Z'))).toBe('2026-03-29T03:00:00+02:00');
    expect(TimeZone.of('Asia/Kolkata').format(t('2026-01-01T00:00:00Z'))).toBe('2026-01-01T05:30:00+05:30');
    expect(TimeZone.of('America/New_York').format(t('2026-11-01T06:00:00Z'))).toBe(
      '2026-11-01T01:00:00-05:00',
    );
  });

  it('rejects a name that is not an IANA zone', () => {
    expect(TimeZone.isValid('Mars/Olympus')).toBe(false);
    expect(() => TimeZone.of('Mars/Olympus')).toThrow(/Unknown time zone 'Mars\/Olympus'/);
  });
});
