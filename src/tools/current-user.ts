/**
 * The current user and their context, for `current_user_context` and `build_user_context`.
 * No identity is an error, never "everyone" (a bug of the PagerDuty seed).
 */
import type { User, UserContext } from '../core/directory.js';
import { UnauthorizedError, ValidationError } from '../core/errors.js';
import type { ToolContext } from './define-tool.js';

export async function currentUser(ctx: ToolContext): Promise<User> {
  const { principal, ports } = ctx;
  // A SaaS directory knows whose credential this is (PagerDuty's /users/me).
  if (ports.directory.me) return ports.directory.me();
  const who = principal.userId ?? principal.userEmail;
  if (!who) {
    throw new UnauthorizedError(
      'There is no current user, so `current_user_context` cannot apply. Set VIGIL_USER_EMAIL (stdio), use an API key or JWT bound to a user, or pass current_user_context=false.',
    );
  }
  const user = principal.userId
    ? await ports.directory.getUser(principal.userId)
    : await ports.directory.findUserByEmail(who);
  if (!user) {
    throw new UnauthorizedError(
      `The current user (${who}) is not in the directory. Create them with create_user, or pass current_user_context=false.`,
    );
  }
  return user;
}

export async function currentUserContext(ctx: ToolContext): Promise<UserContext> {
  const user = await currentUser(ctx);
  return ctx.ports.directory.userContext(user.id);
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
