import { describe, expect, it } from 'vitest';
import {
  type EscalationLevel,
  levelDueAt,
  levelUsers,
  nextPosition,
  schedulesOf,
} from './escalation-steps.js';

describe('escalation steps', () => {
  it('steps level by level, loops num_loops more times, then is exhausted', () => {
    // Two levels, one loop beyond the first pass: 1, 2, 1, 2, then nothing.
    const walk = [];
    for (
      let at: { level: number; loop: number } | undefined = { level: 0, loop: 0 };
      at;
      at = nextPosition(at, 2, 1)
    )
      walk.push(`${at.level + 1}/${at.loop}`);
    expect(walk).toEqual(['1/0', '2/0', '1/1', '2/1']);
    // A one-level policy without loops pages once.
    expect(nextPosition({ level: 0, loop: 0 }, 1, 0)).toBeUndefined();
  });

  it('pages a level’s users and whoever is on call in its schedules, each once, in order', () => {
    const level: EscalationLevel = {
      delayMinutes: 30,
      targets: [
        { type: 'user_reference', id: 'U1' },
        { type: 'schedule_reference', id: 'S1' },
        { type: 'schedule_reference', id: 'S2' },
        { type: 'user_reference', id: 'U2' },
      ],
    };
    expect(schedulesOf(level)).toEqual(['S1', 'S2']);
    const onCall = new Map([['S1', 'U2']]);
    // S1's on-call user is also a user target: paged once; S2 has nobody on call.
    expect(levelUsers(level, (id) => onCall.get(id))).toEqual(['U1', 'U2']);
    expect(levelDueAt(level, 1_000)).toBe(1_000 + 30 * 60_000);
  });
});
