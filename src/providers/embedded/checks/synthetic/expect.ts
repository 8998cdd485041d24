/**
 * `expect` for synthetic scripts, in the runner: the matchers of @playwright/test that checks use
 * (playwright-core ships none). Locator and page matchers retry until they pass or their timeout
 * (5 s, or `{ timeout }`) runs out, as Playwright's do; value matchers answer at once. `.not`
 * negates any of them. A failure says what was expected and what was found. Scripts run in their
 * own realm, so a RegExp from one is recognised by its kind, never by `instanceof`.
 */
import { inspect, isDeepStrictEqual, types } from 'node:util';

export class ExpectError extends Error {
  override name = 'ExpectError';
}

const DEFAULT_TIMEOUT_MS = 5000;
const POLL_MS = 100;

interface LocatorLike {
  isVisible(): Promise<boolean>;
  isEnabled(): Promise<boolean>;
  isChecked(): Promise<boolean>;
  isEditable(): Promise<boolean>;
  count(): Promise<number>;
  innerText(o?: object): Promise<string>;
  textContent(o?: object): Promise<string | null>;
  inputValue(o?: object): Promise<string>;
  getAttribute(name: string, o?: object): Promise<string | null>;
  allInnerTexts(): Promise<string[]>;
}
interface PageLike {
  title(): Promise<string>;
  url(): string;
}

/** Deep equality across realms: plain data is compared as cloned into this one. */
function deepEqual(a: unknown, b: unknown): boolean {
  try {
    return isDeepStrictEqual(structuredClone(a), structuredClone(b));
  } catch {
    return isDeepStrictEqual(a, b);
  }
}
const isRegExp = (v: unknown): v is RegExp => types.isRegExp(v);
const isLocator = (v: unknown): v is LocatorLike =>
  typeof v === 'object' && v !== null && typeof (v as LocatorLike).isVisible === 'function' && 'count' in v;
const isPage = (v: unknown): v is PageLike =>
  typeof v === 'object' && v !== null && typeof (v as PageLike).title === 'function' && 'goto' in v;
const show = (v: unknown) =>
  isRegExp(v) ? String(v) : inspect(v, { depth: 3, breakLength: Infinity }).slice(0, 300);
const matches = (actual: string, expected: string | RegExp, contains: boolean) =>
  isRegExp(expected)
    ? expected.test(actual)
    : contains
      ? actual.includes(expected)
      : actual.replace(/\s+/g, ' ').trim() === expected.replace(/\s+/g, ' ').trim();

type Options = { timeout?: number };
type Outcome = { pass: boolean; received: unknown };
/** What a matcher checks: passed, and what was found (for the message). */
type Probe = () => Outcome | Promise<Outcome>;

function describeSubject(subject: unknown): string {
  if (isLocator(subject)) return String(subject);
  if (isPage(subject)) return 'page';
  return show(subject);
}

async function settle(probe: Probe, negated: boolean, timeoutMs: number, retry: boolean): Promise<Outcome> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let outcome: Outcome;
    try {
      outcome = await probe();
    } catch (err) {
      outcome = { pass: false, received: `(error: ${(err as Error).message.split('\n')[0]})` };
    }
    if (outcome.pass !== negated || !retry || Date.now() >= until) return outcome;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function matchers(subject: unknown, negated: boolean) {
  const retrying = isLocator(subject) || isPage(subject);
  const check =
    (name: string, expected: (...a: unknown[]) => string, probe: (...a: unknown[]) => Probe) =>
    (...args: unknown[]): Promise<void> | undefined => {
      const fail = (outcome: Outcome): void => {
        if (outcome.pass === negated) {
          throw new ExpectError(
            `expect(${describeSubject(subject)}).${negated ? 'not.' : ''}${name}() failed\n` +
              `Expected: ${negated ? 'not ' : ''}${expected(...args)}\nReceived: ${show(outcome.received)}`,
          );
        }
      };
      // Value matchers answer at once, as Playwright's do: a failure throws where it is called.
      if (!retrying) {
        fail(probe(...args)() as Outcome); // value probes are synchronous
        return undefined;
      }
      const last = args.at(-1);
      const timeout =
        typeof last === 'object' && last !== null && 'timeout' in last
          ? Number((last as Options).timeout)
          : undefined;
      return settle(probe(...args), negated, timeout ?? DEFAULT_TIMEOUT_MS, true).then(fail);
    };
  const loc = subject as LocatorLike;
  const page = subject as PageLike;
  const value =
    (test: (...a: unknown[]) => boolean) =>
    (...a: unknown[]) =>
    (): Outcome => ({
      pass: test(...a),
      received: subject,
    });
  const state = (read: () => Promise<boolean>, label: string) => () => async () => {
    const pass = await read();
    return { pass, received: pass ? label : `not ${label}` };
  };
  const text = (contains: boolean) => (expected: unknown) => async () => {
    if (Array.isArray(expected)) {
      const all = await loc.allInnerTexts();
      const pass =
        all.length === expected.length &&
        all.every((t, i) => matches(t, expected[i] as string | RegExp, contains));
      return { pass, received: all };
    }
    const t = (await loc.count())
      ? ((await loc.textContent({ timeout: POLL_MS * 5 })) ?? '')
      : '(no element)';
    return { pass: matches(t, expected as string | RegExp, contains), received: t };
  };
  const num = (test: (a: number, b: number) => boolean) => value((b) => test(subject as number, b as number));
  return {
    // Locators
    toBeVisible: check(
      'toBeVisible',
      () => 'visible',
      state(() => loc.isVisible(), 'visible'),
    ),
    toBeHidden: check(
      'toBeHidden',
      () => 'hidden',
      () => async () => {
        const visible = await loc.isVisible();
        return { pass: !visible, received: visible ? 'visible' : 'hidden' };
      },
    ),
    toBeEnabled: check(
      'toBeEnabled',
      () => 'enabled',
      state(() => loc.isEnabled(), 'enabled'),
    ),
    toBeDisabled: check(
      'toBeDisabled',
      () => 'disabled',
      state(async () => !(await loc.isEnabled()), 'disabled'),
    ),
    toBeChecked: check(
      'toBeChecked',
      () => 'checked',
      state(() => loc.isChecked(), 'checked'),
    ),
    toBeEditable: check(
      'toBeEditable',
      () => 'editable',
      state(() => loc.isEditable(), 'editable'),
    ),
    toBeAttached: check(
      'toBeAttached',
      () => 'attached',
      state(async () => (await loc.count()) > 0, 'attached'),
    ),
    toHaveCount: check(
      'toHaveCount',
      (n) => String(n),
      (n) => async () => {
        const c = await loc.count();
        return { pass: c === n, received: c };
      },
    ),
    toHaveText: check('toHaveText', (e) => show(e), text(false)),
    toContainText: check('toContainText', (e) => `containing ${show(e)}`, text(true)),
    toHaveValue: check(
      'toHaveValue',
      (e) => show(e),
      (e) => async () => {
        const v = await loc.inputValue({ timeout: POLL_MS * 5 });
        return { pass: matches(v, e as string | RegExp, false), received: v };
      },
    ),
    toHaveAttribute: check(
      'toHaveAttribute',
      (n, e) => (typeof e === 'string' || isRegExp(e) ? `${n}=${show(e)}` : `attribute ${n}`),
      (n, e) => async () => {
        const v = await loc.getAttribute(n as string, { timeout: POLL_MS * 5 });
        const pass = typeof e === 'string' || isRegExp(e) ? v !== null && matches(v, e, false) : v !== null;
        return { pass, received: v };
      },
    ),
    // Pages
    toHaveTitle: check(
      'toHaveTitle',
      (e) => show(e),
      (e) => async () => {
        const t = await page.title();
        return { pass: matches(t, e as string | RegExp, false), received: t };
      },
    ),
    toHaveURL: check(
      'toHaveURL',
      (e) => show(e),
      (e) => async () => {
        const u = page.url();
        return { pass: isRegExp(e) ? e.test(u) : u === e, received: u };
      },
    ),
    // Values
    toBe: check(
      'toBe',
      (e) => show(e),
      value((e) => Object.is(subject, e)),
    ),
    toEqual: check(
      'toEqual',
      (e) => show(e),
      value((e) => deepEqual(subject, e)),
    ),
    toStrictEqual: check(
      'toStrictEqual',
      (e) => show(e),
      value((e) => deepEqual(subject, e)),
    ),
    toBeTruthy: check(
      'toBeTruthy',
      () => 'truthy',
      value(() => Boolean(subject)),
    ),
    toBeFalsy: check(
      'toBeFalsy',
      () => 'falsy',
      value(() => !subject),
    ),
    toBeDefined: check(
      'toBeDefined',
      () => 'defined',
      value(() => subject !== undefined),
    ),
    toBeUndefined: check(
      'toBeUndefined',
      () => 'undefined',
      value(() => subject === undefined),
    ),
    toBeNull: check(
      'toBeNull',
      () => 'null',
      value(() => subject === null),
    ),
    toContain: check(
      'toContain',
      (e) => `containing ${show(e)}`,
      value((e) =>
        typeof subject === 'string'
          ? subject.includes(String(e))
          : Array.isArray(subject) && subject.includes(e),
      ),
    ),
    toMatch: check(
      'toMatch',
      (e) => show(e),
      value((e) => matches(String(subject), e as string | RegExp, true)),
    ),
    toHaveLength: check(
      'toHaveLength',
      (n) => `length ${n}`,
      value((n) => (subject as { length?: unknown })?.length === n),
    ),
    toHaveProperty: check(
      'toHaveProperty',
      (k) => `property ${String(k)}`,
      value((k) => typeof subject === 'object' && subject !== null && (k as string) in subject),
    ),
    toBeGreaterThan: check(
      'toBeGreaterThan',
      (n) => `> ${n}`,
      num((a, b) => a > b),
    ),
    toBeGreaterThanOrEqual: check(
      'toBeGreaterThanOrEqual',
      (n) => `>= ${n}`,
      num((a, b) => a >= b),
    ),
    toBeLessThan: check(
      'toBeLessThan',
      (n) => `< ${n}`,
      num((a, b) => a < b),
    ),
    toBeLessThanOrEqual: check(
      'toBeLessThanOrEqual',
      (n) => `<= ${n}`,
      num((a, b) => a <= b),
    ),
    /** A page Response or an APIResponse with a 2xx status. */
    toBeOK: check(
      'toBeOK',
      () => 'a 2xx response',
      value(
        () => typeof (subject as { ok?: unknown })?.ok === 'function' && (subject as { ok(): boolean }).ok(),
      ),
    ),
  };
}

type Matchers = ReturnType<typeof matchers>;

export function expect(subject: unknown): Matchers & { not: Matchers } {
  return { ...matchers(subject, false), not: matchers(subject, true) };
}
/** Soft assertions fail the check as hard ones do: a check has one verdict. */
expect.soft = expect;
