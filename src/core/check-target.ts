/**
 * Checks what a check of any type is given: the target fields its kind needs and its parameters,
 * with the kind's own checks on top (core/check-kinds/). Errors name the parameter at fault.
 */

import { type CheckType, kindOf } from './check-kinds/index.js';
import type { TargetFields as KindTarget } from './check-kinds/shared.js';
import { parameterPath, ValidationError } from './errors.js';

export interface TargetFields extends KindTarget {
  type: CheckType;
  parameters?: Record<string, unknown> | undefined;
}

/** Checks the target and parameters of a check; returns the parameters as given. */
export function checkTarget(t: TargetFields, prefix = ''): Record<string, unknown> {
  const kind = kindOf(t.type);
  kind.target(
    t,
    (field, why) => {
      if (t[field] === undefined || t[field] === null || t[field] === '') {
        throw new ValidationError(`A ${t.type} check needs \`${prefix}${field}\` (${why}).`, {
          parameter: `${prefix}${field}`,
        });
      }
    },
    prefix,
  );
  const parsed = kind.parameters.safeParse(t.parameters ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const parameter = `${prefix}${parameterPath(['parameters', ...(issue?.path ?? [])])}`;
    const message =
      issue?.code === 'unrecognized_keys'
        ? `Unknown ${t.type} parameter(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')} in \`${parameter}\`.`
        : `Invalid \`${parameter}\`: ${issue?.message ?? 'invalid'}`;
    throw new ValidationError(message, { parameter });
  }
  kind.refine?.(parsed.data, prefix);
  return t.parameters ?? {};
}
