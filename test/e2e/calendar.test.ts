/**
 * The iCalendar feed of a schedule on the built `vigil serve`: one event per shift from the
 * final schedule, behind the same authentication as `/mcp` (a header, or `?key=` for calendar
 * apps), refused to a key without the oncall toolset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const DAY = 86_400_000;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

function events(ics: string) {
  return [...ics.matchAll(/BEGIN:VEVENT([\s\S]*?)END:VEVENT/g)].map(([, block]) => ({
    start: /DTSTART:(\S+)/.exec(block as string)?.[1],
    end: /DTEND:(\S+)/.exec(block as string)?.[1],
    summary: /SUMMARY:(.*)\r?\n/.exec(block as string)?.[1],
  }));
}

describe('GET /schedules/<id>.ics', () => {
  let server: RunningVigil;
  const env = { VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' };
  let scheduleId = '';
  let calendarKey = '';
  let directoryKey = '';
  const first = new Date();
  first.setUTCHours(9, 0, 0, 0);
  const start = first.getTime() - 2 * DAY;

  beforeAll(async () => {
    const call = (tool: string, args: unknown) => {
      const r = vigil(['call', tool, JSON.stringify(args)], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const ann = call('create_user', { name: 'Ann', email: 'ann@x.io' }).users[0].id;
    const bob = call('create_user', { name: 'Bob', email: 'bob@x.io' }).users[0].id;
    scheduleId = call('create_schedule', {
      name: 'Primary',
      time_zone: 'UTC',
      schedule_layers: [
        { start: new Date(start).toISOString(), rotation_turn_length_seconds: 86_400, users: [ann, bob] },
      ],
    }).schedules[0].id;
    const key = (toolset: string) => {
      const r = vigil(
        ['keys', 'create', '--name', toolset, '--mode', 'read_only', '--toolsets', toolset],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    calendarKey = key('oncall');
    directoryKey = key('directory');
    server = await startVigil(env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the final schedule as one event per shift, to a key in the URL or the header', async () => {
    const res = await fetch(`${server.base}/schedules/${scheduleId}.ics?key=${calendarKey}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const ics = await res.text();
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain('X-WR-CALNAME:Primary — on call');
    const shifts = events(ics);
    expect(shifts.slice(0, 3)).toEqual([
      { start: stamp(start), end: stamp(start + DAY), summary: 'On call: Ann' },
      { start: stamp(start + DAY), end: stamp(start + 2 * DAY), summary: 'On call: Bob' },
      { start: stamp(start + 2 * DAY), end: stamp(start + 3 * DAY), summary: 'On call: Ann' },
    ]);
    // Six months ahead, without a gap: every shift starts where the one before ended.
    expect(shifts.length).toBeGreaterThan(180);
    for (let i = 1; i < shifts.length; i++) expect(shifts[i]?.start).toBe(shifts[i - 1]?.end);

    const header = await fetch(`${server.base}/schedules/${scheduleId}.ics`, {
      headers: { authorization: `Bearer ${calendarKey}` },
    });
    expect(header.status).toBe(200);
    // The same shifts; only the window's end (six months from now) has moved on.
    expect(events(await header.text()).slice(0, -1)).toEqual(shifts.slice(0, -1));
  });

  it('refuses a missing key, a key without the oncall toolset, unknown schedules and writes', async () => {
    const url = `${server.base}/schedules/${scheduleId}.ics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${url}?key=vgl_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(401);
    const scoped = await fetch(`${url}?key=${directoryKey}`);
    expect(scoped.status).toBe(403);
    expect(((await scoped.json()) as any).error.message).toContain('oncall');
    const missing = await fetch(`${server.base}/schedules/PNOPE.ics?key=${calendarKey}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.message).toBe("No schedule with id 'PNOPE'.");
    expect((await fetch(`${url}?key=${calendarKey}`, { method: 'POST' })).status).toBe(405);
  });
});
