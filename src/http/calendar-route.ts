/**
 * `GET /schedules/<id>.ics`: a schedule's final schedule as an iCalendar feed, one event per
 * shift, from a month back to six months ahead. Behind the same authentication as `/mcp`;
 * calendar apps that cannot send a header may put a read-only API key in `?key=`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import ical from 'ical-generator';
import type { SchedulesPort } from '../core/schedules.js';
import { sendJson } from './guards.js';

const DAY = 86_400_000;
const BACK_DAYS = 30;
const AHEAD_DAYS = 183;

export const CALENDAR_PATH = /^\/schedules\/([A-Za-z0-9]{1,64})\.ics$/;

export async function scheduleCalendar(
  res: ServerResponse,
  req: IncomingMessage,
  schedules: SchedulesPort,
  scheduleId: string,
  now = Date.now(),
): Promise<void> {
  const schedule = await schedules.getSchedule(scheduleId, {
    since: now - BACK_DAYS * DAY,
    until: now + AHEAD_DAYS * DAY,
  });
  if (!schedule) {
    return sendJson(res, 404, {
      error: { code: 'NOT_FOUND', message: `No schedule with id '${scheduleId}'.` },
    });
  }
  const calendar = ical({
    name: `${schedule.name} — on call`,
    prodId: { company: 'Vigil', product: 'vigil-mcp', language: 'EN' },
    ttl: 900,
  });
  for (const shift of schedule.final_schedule?.rendered_schedule_entries ?? []) {
    const start = new Date(shift.start);
    calendar.createEvent({
      id: `${schedule.id}-${start.getTime()}-${shift.user.id}@vigil`,
      start,
      end: new Date(shift.end),
      summary: `On call: ${shift.user.summary}`,
      description: `${shift.user.summary} is on call for ${schedule.name} (${schedule.time_zone}).`,
    });
  }
  const body = calendar.toString();
  res.writeHead(200, {
    'content-type': 'text/calendar; charset=utf-8',
    'content-disposition': `inline; filename="${schedule.id}.ics"`,
    'cache-control': 'private, max-age=300',
    'content-length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
