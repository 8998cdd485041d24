/**
 * Who a Slack user is, for clicks on messages that name nobody (alert channels): their email, from
 * Slack's Web API `users.info` under the app's bot token (VIGIL_SLACK_BOT_TOKEN, with the
 * `users:read` and `users:read.email` scopes). Slack's click payloads carry only the user's id.
 * Answers are kept ten minutes, so a busy incident costs Slack one call per person.
 */
import type { Logger } from '../../core/log.js';

const KEEP_MS = 10 * 60_000;
const TIMEOUT_MS = 5_000;
const MAX_KEPT = 1_000;

export type SlackUserEmail = (slackUserId: string) => Promise<string | undefined>;

/** Looks a Slack user's email up; undefined when Slack does not say (unknown user, no scope, no answer). */
export function slackUserEmails(
  slack: { botToken: string; apiUrl: string },
  log: Logger,
  now: () => number = Date.now,
): SlackUserEmail {
  const kept = new Map<string, { email: string | undefined; until: number }>();
  return async (slackUserId) => {
    if (!/^[UW][A-Z0-9]{2,30}$/.test(slackUserId)) return undefined;
    const hit = kept.get(slackUserId);
    if (hit && hit.until > now()) return hit.email;
    let email: string | undefined;
    try {
      const res = await fetch(`${slack.apiUrl.replace(/\/+$/, '')}/users.info?user=${slackUserId}`, {
        headers: { authorization: `Bearer ${slack.botToken}` },
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = (await res.json()) as {
        ok?: boolean;
        error?: string;
        user?: { profile?: { email?: unknown } };
      };
      if (!body.ok) {
        log.warn({ error: body.error, status: res.status }, "Slack's users.info did not answer who clicked");
        return undefined; // not kept: a missing scope or a revoked token is fixed without a restart
      }
      const found = body.user?.profile?.email;
      email = typeof found === 'string' ? found : undefined;
    } catch (err) {
      log.warn({ err: (err as Error).message }, "Slack's users.info not reached");
      return undefined;
    }
    if (kept.size >= MAX_KEPT) kept.clear();
    kept.set(slackUserId, { email, until: now() + KEEP_MS });
    return email;
  };
}
