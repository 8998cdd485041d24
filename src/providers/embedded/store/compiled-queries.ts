/**
 * Hot reads compiled once per shape, because building and compiling a Kysely query costs as much
 * as SQLite running a small one (about 45 µs for each of get_users' statements): each call only
 * puts its own values into the parameter list of SQL text that never changes.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

type Value = string | number;
/** A query's varying values, by name; a list becomes one parameter per element (`in (?, ?)`). */
export type QueryParams = Record<string, Value | readonly Value[] | undefined>;

interface Template {
  query: CompiledQuery;
  /** For each parameter of `query`: the index of the value it takes, or -1 for a constant. */
  slots: number[];
}

// Placeholders are strings no caller passes: a NUL, a marker, the value's index.
const MARK = '\u0000vigil-param:';
// Shapes are few (which parameters are present, and list lengths up to the page size); the bound
// only keeps a pathological caller from growing the map without end.
const MAX_SHAPES = 1000;

export class CompiledQueries<DB> {
  private readonly templates = new Map<string, Template>();

  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Runs the query `build` makes from `params`, compiling it only the first time this `name`
   * meets this shape of `params` (which keys are defined, and each list's length).
   *
   * Invariant: `build` takes every value that can vary from `params`, and branches only on
   * which keys are defined. A value taken from anywhere else is compiled in as a constant.
   */
  async rows<P extends QueryParams, R>(
    name: string,
    params: P,
    build: (db: Kysely<DB>, p: P) => Compilable<R>,
  ): Promise<R[]> {
    const values: Value[] = [];
    let shape = name;
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        shape += `|${key}[${value.length}]`;
        values.push(...(value as readonly Value[]));
      } else {
        shape += `|${key}`;
        values.push(value as Value);
      }
    }
    let template = this.templates.get(shape);
    if (!template) {
      template = this.compile(params, build);
      if (this.templates.size >= MAX_SHAPES) this.templates.clear();
      this.templates.set(shape, template);
    }
    const { query, slots } = template;
    const parameters = slots.map((slot, i) => (slot < 0 ? query.parameters[i] : values[slot]));
    const result = await this.db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
    return result.rows;
  }

  private compile<P extends QueryParams, R>(
    params: P,
    build: (db: Kysely<DB>, p: P) => Compilable<R>,
  ): Template {
    let next = 0;
    const placeholder = () => `${MARK}${next++}`;
    const placeholders: Record<string, string | string[] | undefined> = {};
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) placeholders[key] = undefined;
      else placeholders[key] = Array.isArray(value) ? value.map(placeholder) : placeholder();
    }
    const query = build(this.db, placeholders as unknown as P).compile();
    const slots = query.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1,
    );
    // Every value must reach the SQL as a parameter, or a call would run with another's value.
    for (let i = 0; i < next; i++) {
      if (!slots.includes(i)) throw new Error(`compiled query: a value is not a parameter in ${query.sql}`);
    }
    return { query, slots };
  }
}
