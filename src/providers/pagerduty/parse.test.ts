/**
 * The parsers against PagerDuty's recorded responses: every field the seed's parsers kept
 * (`*_parsed.json`) comes out the same, except where Vigil deliberately differs (listed, with why).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as parse from './parse.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../../../test/contracts/pagerduty-fixtures/${name}.json`, import.meta.url), 'utf8'),
  );
const list = (name: string) => {
  const v = fixture(name);
  return (Array.isArray(v) ? v : [v]) as parse.Raw[];
};

/** Paths of `expected` whose value `actual` lacks or differs in; `skip` names paths Vigil changes on purpose. */
function differences(expected: unknown, actual: unknown, skip: readonly string[], at = ''): string[] {
  if (skip.includes(at.replace(/\[\d+\]/g, '[]'))) return [];
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return [at];
    return Object.entries(expected).flatMap(([k, v]) =>
      differences(
        v,
        (actual as Record<string, unknown>)[k],
        skip,
        Array.isArray(expected) ? `${at}[${k}]` : at ? `${at}.${k}` : k,
      ),
    );
  }
  return Object.is(expected, actual) ? [] : [at];
}

function expectSeedFields(
  raw: parse.Raw[],
  parsed: parse.Raw[],
  map: (r: parse.Raw) => object,
  skip: string[] = [],
) {
  expect(raw).toHaveLength(parsed.length);
  raw.forEach((r, i) => {
    expect(differences(parsed[i], map(r), skip)).toEqual([]);
  });
}

describe('PagerDuty parsers against the recorded responses', () => {
  it('incidents: body details and client URL from the CEF payload, references kept', () => {
    expectSeedFields(list('incidents_raw'), list('incidents_parsed'), parse.incident);
    const first = parse.incident(list('incidents_raw')[0] as parse.Raw);
    expect(first.body_details).not.toHaveProperty('title');
    expect(first).not.toHaveProperty('html_url');
    expect(first).not.toHaveProperty('incident_key'); // null upstream: left out, not null
  });

  it('users: teams and notification rules; contact methods by their own type', () => {
    // The seed kept contact methods as references typed `email_contact_method_reference`; Vigil
    // names the method's type (`email_contact_method`) and its address where PagerDuty gives it.
    expectSeedFields(list('users_raw'), list('users_parsed'), parse.user, ['contact_methods[].type']);
    const u = parse.user(list('users_raw')[0] as parse.Raw);
    expect(u.contact_methods.map((m) => m.type)).toContain('email_contact_method');
    expect(u).not.toHaveProperty('avatar_url');
  });

  it('teams, services and escalation policies', () => {
    expectSeedFields(list('teams_raw'), list('teams_parsed'), (r) => parse.team(r));
    expectSeedFields(list('services_raw'), list('services_parsed'), parse.service);
    expectSeedFields(
      list('escalation_policies_raw'),
      list('escalation_policies_parsed'),
      parse.escalationPolicy,
    );
  });

  it('schedules: layer users flattened; the final schedule kept when PagerDuty renders one', () => {
    expectSeedFields(list('schedules_raw'), list('schedules_parsed'), (r) => parse.schedule(r));
    const raw = structuredClone(list('schedules_raw')[0]) as parse.Raw;
    (raw.final_schedule as parse.Raw).rendered_schedule_entries = [
      { start: '2025-03-17T18:00:00Z', end: '2025-03-18T18:00:00Z', user: { id: 'U1', summary: 'Ann' } },
    ];
    expect(parse.schedule(raw).final_schedule?.rendered_schedule_entries).toEqual([
      { start: '2025-03-17T18:00:00Z', end: '2025-03-18T18:00:00Z', user: { id: 'U1', summary: 'Ann' } },
    ]);
  });

  it('on-call shifts, with and without earliest', () => {
    expectSeedFields(list('oncalls_raw'), list('oncalls_parsed'), parse.oncall);
    expectSeedFields(list('oncalls_earliest_raw'), list('oncalls_earliest_parsed'), parse.oncall);
  });

  it('notes: the author as {id, name}', () => {
    expectSeedFields(list('mock_notes'), list('mock_notes_parsed'), parse.note);
  });

  it('tolerates nulls and missing fields without inventing values', () => {
    const i = parse.incident({ id: 'Q1', title: 'x', assignments: null, teams: [null, { id: 'T1' }] });
    expect(i).toMatchObject({ id: 'Q1', assignments: [], teams: [{ id: 'T1', summary: '' }] });
    expect(i).not.toHaveProperty('resolved_at');
    expect(parse.user({ id: 'U1' })).toEqual({
      id: 'U1',
      type: 'user',
      name: '',
      email: '',
      teams: [],
      contact_methods: [],
      notification_rules: [],
    });
  });
});
