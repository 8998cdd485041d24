/**
 * How an incident's escalation steps through its policy: each level has its delay to be
 * acknowledged, then the next level is paged; after the last level the policy starts again from
 * level 1, `num_loops` more times, and then escalation is exhausted. A level pages its users and
 * whoever is on call in its schedules. The store keeps the state and pages (store/escalation-state.ts);
 * this only decides.
 */

/** One level of a policy, as escalation reads it. */
export interface EscalationLevel {
  delayMinutes: number;
  targets: { type: string; id: string }[];
}

/** Where an escalation stands: a level (0-based) in a pass (0-based) through the policy. */
export interface EscalationPosition {
  level: number;
  loop: number;
}

/** When a level paged at `nowMs` has run out and the next is due. */
export const levelDueAt = (level: EscalationLevel, nowMs: number): number =>
  nowMs + level.delayMinutes * 60_000;

/**
 * The position after `from` ran out: the next level, or level 1 of the next pass after the last
 * level; undefined once `numLoops` passes beyond the first are spent (escalation is exhausted).
 */
export function nextPosition(
  from: EscalationPosition,
  levelCount: number,
  numLoops: number,
): EscalationPosition | undefined {
  let level = from.level + 1;
  let loop = from.loop;
  if (level >= levelCount) {
    level = 0;
    loop++;
  }
  return loop > numLoops ? undefined : { level, loop };
}

/** A level's schedules, whose on-call user must be looked up before it pages. */
export const schedulesOf = (level: EscalationLevel): string[] =>
  level.targets.filter((t) => t.type === 'schedule_reference').map((t) => t.id);

/**
 * The users a level pages, each once in target order: its users, and whoever `onCall` says is on
 * call in its schedules (nobody for a schedule with no one on call).
 */
export function levelUsers(
  level: EscalationLevel,
  onCall: (scheduleId: string) => string | undefined,
): string[] {
  const ids = level.targets.flatMap((t) => {
    const id = t.type === 'schedule_reference' ? onCall(t.id) : t.id;
    return id ? [id] : [];
  });
  return [...new Set(ids)];
}
