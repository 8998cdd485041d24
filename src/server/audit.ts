/**
 * What the audit trail keeps of a write's arguments: the object ids it names and returns, and
 * the names of the fields it was given — never their values.
 */

const AUDITED_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The object ids a write names (`*_id` and `*_ids` arguments, also inside a wrapper object) and
 * returns (`id` of each item), and a summary naming the fields given: never their values, which
 * may be secrets (a secret's value, a webhook's signing secret).
 */
export function auditedArgs(tool: string, args: unknown, items: unknown) {
  const ids = new Set<string>();
  const fields: string[] = [];
  // Only what looks like an id or a field name is kept: a call that fails validation may carry anything.
  const addId = (v: unknown) => typeof v === 'string' && AUDITED_NAME.test(v) && ids.add(v);
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      if (!AUDITED_NAME.test(key) || key === 'include') continue;
      if (key.endsWith('_id') && typeof value === 'string') addId(value);
      else if (key.endsWith('_ids') && Array.isArray(value)) value.forEach(addId);
      else if (!prefix && value && typeof value === 'object' && !Array.isArray(value))
        walk(value as Record<string, unknown>, `${key}.`);
      else fields.push(`${prefix}${key}`);
    }
  };
  if (args && typeof args === 'object' && !Array.isArray(args)) walk(args as Record<string, unknown>, '');
  if (Array.isArray(items)) for (const item of items) addId((item as { id?: unknown } | null)?.id);
  return {
    objectIds: [...ids].slice(0, 100),
    summary: fields.length ? `${tool}: ${fields.slice(0, 50).join(', ')}` : tool,
  };
}
