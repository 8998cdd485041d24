/**
 * The current user and their context, for `current_user_context` and `build_user_context`.
 *
 * Reads go on without a current user: when none is set, or the one set is not in the directory
 * (a fresh install), a read with the default `current_user_context` covers the whole account
 * and says so in `metadata.note`. Acting as someone (acknowledge, resolve, notes) still needs
 * one. A known user with no team still gets an empty answer that says why, never the whole
 * account (the PagerDuty seed's bug).
 */
import type { User, UserContext } from '../core/directory.js';
import { UnauthorizedError, ValidationError } from '../core/errors.js';
import type { ToolContext } from './define-tool.js';
import { writesNeed } from './hints.js';

/** The current user, or why there is none. */
export type FoundUser = { user: User } | { user?: undefined; missing: 'unset' | 'unknown'; who?: string };

export async function findCurrentUser(ctx: ToolContext): Promise<FoundUser> {
  const { principal, ports } = ctx;
  // A SaaS directory knows whose credential this is (PagerDuty's /users/me).
  if (ports.directory.me) return { user: await ports.directory.me() };
  const who = principal.userId ?? principal.userEmail;
  if (!who) return { missing: 'unset' };
  const user = principal.userId
    ? await ports.directory.getUser(principal.userId)
    : await ports.directory.findUserByEmail(who);
  return user ? { user } : { missing: 'unknown', who };
}

/** Why there is no current user, and how to have one. */
function missingText(found: Exclude<FoundUser, { user: User }>, ctx: ToolContext): string {
  return found.missing === 'unset'
    ? 'No current user is set (VIGIL_USER_EMAIL over stdio; an API key or JWT bound to a user over HTTP)'
    : `The current user (${found.who}) is not in the directory (add them with create_user${writesNeed(ctx, true)})`;
}

/** The user this call acts as; acting needs one. */
export async function currentUser(ctx: ToolContext): Promise<User> {
  const found = await findCurrentUser(ctx);
  if (found.user) return found.user;
  throw new UnauthorizedError(
    `${missingText(found, ctx)}, so this cannot act as anyone. Set VIGIL_USER_EMAIL to a directory user's email (stdio), or use an API key or JWT bound to a user.`,
  );
}

export async function currentUserContext(ctx: ToolContext): Promise<UserContext> {
  const user = await currentUser(ctx);
  return ctx.ports.directory.userContext(user.id);
}

/**
 * The scope of a read with `current_user_context=true`: the current user's context, or — with
 * no current user — the whole account and a note saying so.
 */
export type ReadScope =
  | { context: UserContext; note?: undefined; missing?: undefined }
  | { context?: undefined; note: string; missing: string };

export async function readScope(ctx: ToolContext): Promise<ReadScope> {
  const found = await findCurrentUser(ctx);
  if (found.user) return { context: await ctx.ports.directory.userContext(found.user.id) };
  const missing = missingText(found, ctx);
  return {
    missing,
    note: `${missing}, so this covers the whole account rather than the current user's teams.`,
  };
}

/**
 * The seed's rule that filters the context would set cannot be given with
 * current_user_context=true: "Cannot specify team_ids when current_user_context is True."
 */
export function rejectContextFilters(filters: Record<string, unknown>): void {
  const names = Object.keys(filters);
  const given = names.find((n) => filters[n] !== undefined);
  if (given === undefined) return;
  throw new ValidationError(
    `Cannot specify ${names.join(' or ')} when current_user_context is True. See \`docs://tools\` for more information.`,
    { parameter: given },
  );
}
