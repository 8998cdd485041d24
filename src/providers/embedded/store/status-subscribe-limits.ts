/**
 * Subscribe requests from public status pages, counted in the store per client address (an IPv6
 * client by its /64) and per contact, so SUBSCRIBE_LIMITS hold across every node sharing the database, not per process.
 * Each key's row holds the times of its requests in the last SUBSCRIBE_WINDOW_MS (a sliding
 * window). Keys are hashed: no address or email is kept here.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Kysely, Transaction } from 'kysely';
import {
  type PublicSubscribeRequest,
  SUBSCRIBE_LIMITS,
  SUBSCRIBE_WINDOW_MS,
  SubscribeLimitError,
} from '../../../core/status-subscriptions.js';
import type { Database } from './schema.js';

const hashed = (key: string) => createHash('sha256').update(key).digest('base64url');

/**
 * What a client address is counted as: an IPv4 address as it is, an IPv6 address by its /64 (one
 * host commonly has the whole /64, so counting single addresses would let it rotate past the limit).
 */
export function clientNetwork(address: string): string {
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(plain)) return plain;
  const [head = '', tail] = plain.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  // A dotted IPv4 tail fills two groups.
  const width = (part: string[]) => part.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? 0 : 8 - width(groups(head)) - width(groups(tail));
  const all = [...groups(head), ...Array<string>(zeros).fill('0'), ...groups(tail)];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Counts one request of `key`; answers how long to wait instead when it is at `max`. */
async function take(trx: Transaction<Database>, key: string, max: number, now: number): Promise<number> {
  // Writing the row first locks it (on PostgreSQL) until the transaction ends: two nodes counting
  // the same key take turns, and the second reads what the first wrote.
  await trx
    .insertInto('status_subscribe_limits')
    .values({ key, hits: '[]', last_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ last_at: now }))
    .execute();
  const row = await trx
    .selectFrom('status_subscribe_limits')
    .select('hits')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  const recent = (JSON.parse(row.hits) as number[]).filter((t) => t > now - SUBSCRIBE_WINDOW_MS);
  if (recent.length >= max) return (recent[0] as number) + SUBSCRIBE_WINDOW_MS - now;
  await trx
    .updateTable('status_subscribe_limits')
    .set({ hits: JSON.stringify([...recent, now]) })
    .where('key', '=', key)
    .execute();
  return 0;
}

/**
 * Counts a subscribe request for page `pageId` against both limits, in the transaction that acts
 * on it: over either, it throws SubscribeLimitError and the transaction's rollback takes the
 * counts back (a refused request costs nothing). The contact's key is always taken before the
 * client's, so two requests never wait on each other's locks.
 */
export async function takeSubscribeRequest(
  trx: Transaction<Database>,
  pageId: string,
  r: Pick<PublicSubscribeRequest, 'channel' | 'contact' | 'client'>,
  now: number,
): Promise<void> {
  const contact = hashed(`contact|${pageId}|${r.channel}|${r.contact.toLowerCase()}`);
  const waitContact = await take(trx, contact, SUBSCRIBE_LIMITS.contact, now);
  if (waitContact > 0) throw new SubscribeLimitError('contact', waitContact);
  const waitClient = await take(
    trx,
    hashed(`client|${clientNetwork(r.client)}`),
    SUBSCRIBE_LIMITS.client,
    now,
  );
  if (waitClient > 0) throw new SubscribeLimitError('client', waitClient);
}

/** Drops the counts of keys with no request in the window; answers how many. */
export async function forgetSubscribeRequests(db: Kysely<Database>, now: number): Promise<number> {
  const { numDeletedRows } = await db
    .deleteFrom('status_subscribe_limits')
    .where('last_at', '<', now - SUBSCRIBE_WINDOW_MS)
    .executeTakeFirst();
  return Number(numDeletedRows);
}
