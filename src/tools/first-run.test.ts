/**
 * The first questions on a fresh install, in the default read-only mode: "what is broken right
 * now?", "who is on call?", "show open incidents" answer empty with a hint of what to create —
 * with no current user, with one that is not in the directory, and with one who is (no team yet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { tempDir } from '../../test/helpers/vigil.js';

const READS = [
  'get_status_overview',
  'get_incidents',
  'get_oncalls',
  'get_escalation_policies',
  'list_checks',
];

describe('first run on a fresh store, read-only', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness({ store: { dataDir: tempDir() }, env: { VIGIL_MODE: 'read_only' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['no current user', {}],
    ['a current user not in the directory', { userEmail: 'new@example.com' }],
  ])('with %s, every first question answers empty with what to create', async (_, principal) => {
    const as = await h.as(principal);
    for (const tool of READS) {
      const r = await as.call(tool);
      expect(r.isError, `${tool}: ${JSON.stringify(r.body)}`).toBe(false);
    }
    const overview = await as.ok('get_status_overview');
    expect(overview.overviews[0].open_incidents.total).toBe(0);
    expect(overview.metadata.hint).toMatch(/^Nothing is open\. .*create_check.*VIGIL_MODE=read_write/);
    expect(overview.metadata.note).toMatch(/covers the whole account/);

    const incidents = await as.ok('get_incidents');
    expect(incidents.incidents).toEqual([]);
    expect(incidents.metadata.hint).toMatch(/^No incidents\. .*trigger_incident.*VIGIL_MODE=read_write/);

    const oncalls = await as.ok('get_oncalls');
    expect(oncalls.oncalls).toEqual([]);
    expect(oncalls.metadata.hint).toMatch(/create_schedule.*create_escalation_policy.*VIGIL_MODE=read_write/);

    const checks = await as.ok('list_checks');
    expect(checks.checks).toEqual([]);
    expect(checks.metadata.hint).toMatch(
      /^No checks\. .*create_check\. Creating needs VIGIL_MODE=read_write/,
    );
    expect((await as.ok('list_checks', { status: 'failed' })).metadata.hint).toBeUndefined();

    const context = await as.ok('build_user_context');
    expect(context.user_contexts).toEqual([]);
    expect(context.metadata.note).toMatch(/VIGIL_USER_EMAIL/);

    // "Who is on call in this schedule" names the schedule that is not there.
    const inSchedule = await as.call('list_users_oncall', { schedule_id: 'PNONE00' });
    expect(inSchedule.body.error.code).toBe('NOT_FOUND');
  });

  it('with a current user in the directory but in no team, answers empty and says what to add', async () => {
    const writer = await openHarness({ store: { dataDir: tempDir() } });
    try {
      await writer.ok('create_user', { name: 'Ann', email: 'ann@example.com' });
      const ann = await writer.as({ userEmail: 'ann@example.com', mode: 'read_only' });
      const incidents = await ann.ok('get_incidents');
      expect(incidents.incidents).toEqual([]);
      expect(incidents.metadata.note).toMatch(
        /belongs to no team.*create_team, create_service; creating needs VIGIL_MODE=read_write/,
      );
      const overview = await ann.ok('get_status_overview');
      expect(overview.metadata.note).toMatch(/belongs to no team/);
      const oncalls = await ann.ok('get_oncalls');
      expect(oncalls.metadata.note).toMatch(/No escalation policy pages the current user/);
      expect((await ann.ok('build_user_context')).user_contexts[0]).toMatchObject({
        email: 'ann@example.com',
      });
    } finally {
      await writer.close();
    }
  });

  it('in read-write mode the hints name the tools without the mode advice', async () => {
    const writer = await openHarness({ store: { dataDir: tempDir() } });
    try {
      const incidents = await writer.ok('get_incidents');
      expect(incidents.metadata.hint).toMatch(/trigger_incident on a service \(create_service\)\.$/);
      expect(incidents.metadata.hint).not.toMatch(/VIGIL_MODE/);
      // A write that acts as someone still needs a current user.
      const svc = await writer.call('trigger_incident', { service_id: 'PNONE00', title: 'x' });
      expect(svc.body.error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(/VIGIL_USER_EMAIL/),
      });
    } finally {
      await writer.close();
    }
  });
});
