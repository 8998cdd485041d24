/**
 * Whether the store takes writes now, for /healthz: a real write (one row upserted and
 * committed), since a database that answers reads may still refuse every write (a read-only
 * file, a full disk, a standby). Bounded in time, so a hung database is reported, not waited on.
 */
import { type Kysely, sql } from 'kysely';
import type { StoreKind } from './database.js';
import type { Database } from './schema.js';
import { storageFault } from './sql-errors.js';

export type StoreHealth = { ok: true } | { ok: false; reason: string };

export const PROBE_TIMEOUT_MS = 2_000;

/** Probes in flight, so that health checks arriving together share one write. */
const inflight = new WeakMap<Kysely<Database>, Promise<StoreHealth>>();

export function storeWritable(
  db: Kysely<Database>,
  kind: StoreKind,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<StoreHealth> {
  let probe = inflight.get(db);
  if (!probe) {
    probe = probeOnce(db, kind, timeoutMs).finally(() => inflight.delete(db));
    inflight.set(db, probe);
  }
  return probe;
}

async function probeOnce(db: Kysely<Database>, kind: StoreKind, timeoutMs: number): Promise<StoreHealth> {
  let timer: NodeJS.Timeout | undefined;
  const write = db.transaction().execute(async (trx) => {
    // The server gives up too, so a probe stuck on a lock does not hold a pooled connection on.
    if (kind === 'postgres') await sql`set local statement_timeout = ${sql.lit(timeoutMs)}`.execute(trx);
    await trx
      .insertInto('store_probe')
      .values({ name: 'healthz', written_at: Date.now() })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ written_at: (eb) => eb.ref('excluded.written_at') }),
      )
      .execute();
  });
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  try {
    if ((await Promise.race([write, late])) === 'late') {
      write.catch(() => undefined); // it fails or ends later, unheard
      return { ok: false, reason: `The ${kind} database did not complete a write within ${timeoutMs} ms.` };
    }
    return { ok: true };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: storageFault(err) ?? `The ${kind} database refused a write (${message}).` };
  } finally {
    clearTimeout(timer);
  }
}
