/**
 * Libraries the cold path does not need (time zones, cron, JSONPath), loaded on first use: a
 * stdio client waits for `tools/list`, and these cost tens of milliseconds to import.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A getter that loads `name` the first time it is called. */
export function lazy<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= load(name) as T;
    return loaded;
  };
}
