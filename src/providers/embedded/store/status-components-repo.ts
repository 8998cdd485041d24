/**
 * Status pages and their components on the embedded store. A page is found by its id or its
 * subdomain. What a component shows is computed on read: an active incident's status for it wins
 * over its own, and a group shows its worst member, so closing an incident needs no clean-up.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import {
  ACTIVE_STATUSES,
  type CheckedDay,
  type Component,
  type ComponentInput,
  type ComponentStatus,
  DEFAULT_AUTOMATION_DELAY_SECONDS,
  type PageInput,
  type StatusPage,
  worst,
} from '../../../core/status-pages.js';
import { checkedUptime, linksOf, reconcile, setLinks } from './component-checks.js';
import { newId } from './ids.js';
import { type Db, page } from './repo-helpers.js';
import type { Database, StatusComponentsTable, StatusPagesTable } from './schema.js';
import { uniquely } from './sql-errors.js';

const FLAGS = [
  'viewers_must_be_team_members',
  'hidden_from_search',
  'allow_page_subscribers',
  'allow_incident_subscribers',
  'allow_email_subscribers',
  'allow_sms_subscribers',
  'allow_webhook_subscribers',
  'allow_rss_atom_feeds',
] as const;
/** Defaults of the flags: public, indexed, feeds on, no public subscriptions until the page allows them. */
const FLAG_DEFAULTS: Record<(typeof FLAGS)[number], boolean> = {
  viewers_must_be_team_members: false,
  hidden_from_search: false,
  allow_page_subscribers: false,
  allow_incident_subscribers: false,
  allow_email_subscribers: false,
  allow_sms_subscribers: false,
  allow_webhook_subscribers: false,
  allow_rss_atom_feeds: true,
};
const TEXTS = ['url', 'headline', 'page_description', 'country', 'city', 'state', 'support_url'] as const;

/**
 * Links go on components, not groups (a group shows its worst member); and a linked component's
 * own status is its checks', so it is not set by hand.
 */
function checkLinks(group: boolean, checkIds: readonly string[], status: string | undefined) {
  if (checkIds.length === 0) return;
  if (group) {
    throw new ValidationError(
      'A group cannot be linked to checks: link its members, whose worst status it shows.',
      { parameter: 'check_ids' },
    );
  }
  if (status !== undefined) {
    throw new ValidationError(
      'A component linked to checks takes its status from them: drop status, post an incident naming it to show another, or unlink it with check_ids: [].',
      { parameter: 'status' },
    );
  }
}

/** The page a reference (id or subdomain) names; NOT_FOUND naming `page_id` otherwise. */
export async function resolvePage(db: Db, ref: string): Promise<StatusPagesTable> {
  const row = await db
    .selectFrom('status_pages')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('subdomain', '=', ref.toLowerCase())]))
    .orderBy('id')
    .execute();
  const found = row.find((r) => r.id === ref) ?? row[0];
  if (!found) throw new NotFoundError('status page', ref, 'page_id');
  return found;
}

/** component id → the worst status that active incidents on the page give it. */
export async function incidentStatuses(db: Db, pageId: string): Promise<Map<string, ComponentStatus>> {
  const rows = await db
    .selectFrom('status_incident_components as ic')
    .innerJoin('status_incidents as i', 'i.id', 'ic.incident_id')
    .select(['ic.component_id', 'ic.status'])
    .where('i.page_id', '=', pageId)
    .where('i.status', 'in', [...ACTIVE_STATUSES])
    .execute();
  const out = new Map<string, ComponentStatus>();
  for (const r of rows) {
    out.set(r.component_id, worst([out.get(r.component_id) ?? 'operational', r.status]));
  }
  return out;
}

/** Components of one page as the page shows them, in the order given. */
export async function hydrateComponents(
  db: Db,
  pageId: string,
  rows: readonly StatusComponentsTable[],
): Promise<Component[]> {
  const [fromIncidents, links] = await Promise.all([
    incidentStatuses(db, pageId),
    linksOf(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  const shown = (r: StatusComponentsTable) => fromIncidents.get(r.id) ?? r.status;
  const groupIds = rows.filter((r) => r.is_group === 1).map((r) => r.id);
  const members =
    groupIds.length === 0
      ? []
      : await db.selectFrom('status_components').selectAll().where('group_id', 'in', groupIds).execute();
  return rows.map((r) => {
    const mine = members.filter((m) => m.group_id === r.id);
    return {
      id: r.id,
      page_id: r.page_id,
      name: r.name,
      description: r.description,
      group: r.is_group === 1,
      group_id: r.group_id,
      only_show_if_degraded: r.only_show_if_degraded === 1,
      position: r.position,
      showcase: r.showcase === 1,
      start_date: r.start_date,
      status: mine.length > 0 ? worst(mine.map(shown)) : shown(r),
      own_status: r.status,
      check_ids: links.get(r.id) ?? [],
      automation_delay_seconds: r.automation_delay_seconds,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  });
}

export function toStatusPage(r: StatusPagesTable): StatusPage {
  return {
    id: r.id,
    name: r.name,
    subdomain: r.subdomain,
    domain: r.domain,
    url: r.url,
    language: r.language,
    headline: r.headline,
    page_description: r.page_description,
    time_zone: r.time_zone,
    country: r.country,
    city: r.city,
    state: r.state,
    viewers_must_be_team_members: r.viewers_must_be_team_members === 1,
    hidden_from_search: r.hidden_from_search === 1,
    allow_page_subscribers: r.allow_page_subscribers === 1,
    allow_incident_subscribers: r.allow_incident_subscribers === 1,
    allow_email_subscribers: r.allow_email_subscribers === 1,
    allow_sms_subscribers: r.allow_sms_subscribers === 1,
    allow_webhook_subscribers: r.allow_webhook_subscribers === 1,
    allow_rss_atom_feeds: r.allow_rss_atom_feeds === 1,
    support_url: r.support_url,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** The columns a page input sets; only the fields it has. */
function pageColumns(input: Partial<PageInput>): Partial<StatusPagesTable> {
  const out: Partial<StatusPagesTable> = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.subdomain !== undefined) out.subdomain = input.subdomain?.toLowerCase() ?? null;
  if (input.domain !== undefined) out.domain = input.domain?.toLowerCase() ?? null;
  if (input.language !== undefined) out.language = input.language;
  if (input.time_zone !== undefined) out.time_zone = input.time_zone;
  // An empty text clears the field.
  for (const k of TEXTS) if (input[k] !== undefined) out[k] = input[k] || null;
  for (const k of FLAGS) if (input[k] !== undefined) out[k] = input[k] ? 1 : 0;
  return out;
}

/** Status pages and their components: the `statusPages` port's part without incidents. */
export class StatusComponentsRepository {
  /** `changed` is called after every write. */
  constructor(
    private readonly store: Kysely<Database>,
    private readonly clock: Clock,
    private readonly changed: () => void,
  ) {}

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async listPages(f: { limit: number; offset: number }): Promise<Page<StatusPage>> {
    const rows = await this.store
      .selectFrom('status_pages')
      .selectAll()
      .orderBy('name')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: p.items.map(toStatusPage), more: p.more };
  }

  async getPage(ref: string): Promise<StatusPage | undefined> {
    try {
      return toStatusPage(await resolvePage(this.store, ref));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async getPageByDomain(domain: string): Promise<StatusPage | undefined> {
    const row = await this.store
      .selectFrom('status_pages')
      .selectAll()
      .where('domain', '=', domain.toLowerCase())
      .executeTakeFirst();
    return row && toStatusPage(row);
  }

  async createPage(input: PageInput): Promise<StatusPage> {
    const id = newId();
    const at = this.now();
    const flags = Object.fromEntries(FLAGS.map((k) => [k, FLAG_DEFAULTS[k] ? 1 : 0]));
    const texts = Object.fromEntries(TEXTS.map((k) => [k, null]));
    await this.unique(input, () =>
      this.store
        .insertInto('status_pages')
        .values({
          id,
          name: input.name,
          subdomain: null,
          domain: null,
          language: 'en',
          time_zone: 'UTC',
          ...texts,
          ...(flags as Pick<StatusPagesTable, (typeof FLAGS)[number]>),
          ...pageColumns(input),
          created_at: at,
          updated_at: at,
        })
        .execute(),
    );
    this.changed();
    return toStatusPage(await resolvePage(this.store, id));
  }

  async updatePage(ref: string, patch: Partial<PageInput>): Promise<StatusPage> {
    const row = await resolvePage(this.store, ref);
    await this.unique(patch, () =>
      this.store
        .updateTable('status_pages')
        .set({ ...pageColumns(patch), updated_at: this.now() })
        .where('id', '=', row.id)
        .execute(),
    );
    this.changed();
    return toStatusPage(await resolvePage(this.store, row.id));
  }

  async deletePage(ref: string): Promise<StatusPage> {
    const row = await resolvePage(this.store, ref);
    await this.store.deleteFrom('status_pages').where('id', '=', row.id).execute();
    this.changed();
    return toStatusPage(row);
  }

  /** Runs a page write, turning a taken subdomain or domain into a CONFLICT naming it. */
  private unique<T>(input: Partial<PageInput>, fn: () => Promise<T>): Promise<T> {
    const which = input.domain != null && input.subdomain == null ? 'domain' : 'subdomain';
    const value = which === 'domain' ? input.domain : input.subdomain;
    return uniquely(`Another status page already has ${which} '${value}'. Choose another.`, which, fn);
  }

  async listComponents(
    pageRef: string,
    f: { groups?: boolean | undefined; limit: number; offset: number },
  ): Promise<Page<Component>> {
    const p = await resolvePage(this.store, pageRef);
    let q = this.store.selectFrom('status_components').selectAll().where('page_id', '=', p.id);
    if (f.groups) q = q.where('is_group', '=', 1);
    const rows = await q
      .orderBy('position')
      .orderBy('name')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const paged = page(rows, f.limit);
    return { items: await hydrateComponents(this.store, p.id, paged.items), more: paged.more };
  }

  async getComponent(pageRef: string, id: string): Promise<Component> {
    const p = await resolvePage(this.store, pageRef);
    const row = await this.componentRow(this.store, p.id, id);
    return (await hydrateComponents(this.store, p.id, [row]))[0] as Component;
  }

  async createComponent(pageRef: string, input: ComponentInput): Promise<Component> {
    const id = newId();
    await this.store.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const group = input.group ?? false;
      await this.checkGroup(trx, p.id, id, group, input.group_id ?? null);
      checkLinks(group, input.check_ids ?? [], input.status);
      const last = await trx
        .selectFrom('status_components')
        .select((eb) => eb.fn.max('position').as('max'))
        .where('page_id', '=', p.id)
        .executeTakeFirst();
      const at = this.now();
      await trx
        .insertInto('status_components')
        .values({
          id,
          page_id: p.id,
          name: input.name,
          description: input.description ?? null,
          is_group: group ? 1 : 0,
          group_id: input.group_id ?? null,
          only_show_if_degraded: input.only_show_if_degraded ? 1 : 0,
          position: input.position ?? (last?.max == null ? 0 : Number(last.max) + 1),
          showcase: (input.showcase ?? true) ? 1 : 0,
          start_date: input.start_date ?? null,
          status: input.status ?? 'operational',
          automation_delay_seconds: input.automation_delay_seconds ?? DEFAULT_AUTOMATION_DELAY_SECONDS,
          check_status: null,
          check_status_since: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      if (input.check_ids?.length) {
        await setLinks(trx, id, input.check_ids);
        await reconcile(trx, this.clock.now(), [id]);
      }
    });
    this.changed();
    return this.getComponent(pageRef, id);
  }

  async updateComponent(pageRef: string, id: string, patch: Partial<ComponentInput>): Promise<Component> {
    await this.store.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const row = await this.componentRow(trx, p.id, id);
      const group = patch.group ?? row.is_group === 1;
      const groupId = patch.group_id === undefined ? row.group_id : patch.group_id;
      await this.checkGroup(trx, p.id, id, group, groupId);
      const checkIds = patch.check_ids ?? (await linksOf(trx, [id])).get(id) ?? [];
      checkLinks(group, checkIds, patch.status);
      if (!group && row.is_group === 1) {
        const member = await trx
          .selectFrom('status_components')
          .select('id')
          .where('group_id', '=', id)
          .executeTakeFirst();
        if (member) {
          throw new ValidationError(
            `Component '${id}' is a group with members (e.g. '${member.id}'): move them out before setting group to false.`,
            { parameter: 'group' },
          );
        }
      }
      const set: Partial<StatusComponentsTable> = { is_group: group ? 1 : 0, group_id: groupId };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.only_show_if_degraded !== undefined)
        set.only_show_if_degraded = patch.only_show_if_degraded ? 1 : 0;
      if (patch.position !== undefined) set.position = patch.position;
      if (patch.showcase !== undefined) set.showcase = patch.showcase ? 1 : 0;
      if (patch.start_date !== undefined) set.start_date = patch.start_date;
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.automation_delay_seconds !== undefined)
        set.automation_delay_seconds = patch.automation_delay_seconds;
      await trx
        .updateTable('status_components')
        .set({ ...set, updated_at: this.now() })
        .where('id', '=', id)
        .execute();
      if (patch.check_ids !== undefined) await setLinks(trx, id, patch.check_ids);
      // A new link or a new delay takes effect at once: the wait starts (or ends) now.
      if (checkIds.length > 0) await reconcile(trx, this.clock.now(), [id]);
    });
    this.changed();
    return this.getComponent(pageRef, id);
  }

  async deleteComponent(pageRef: string, id: string): Promise<Component> {
    const component = await this.getComponent(pageRef, id);
    await this.store.deleteFrom('status_components').where('id', '=', id).execute();
    this.changed();
    return component;
  }

  async checkedUptime(pageRef: string, since: number, until: number): Promise<Map<string, CheckedDay[]>> {
    const p = await resolvePage(this.store, pageRef);
    const linked = await this.store
      .selectFrom('status_component_checks as l')
      .innerJoin('status_components as c', 'c.id', 'l.component_id')
      .select('c.id')
      .distinct()
      .where('c.page_id', '=', p.id)
      .execute();
    return checkedUptime(
      this.store,
      linked.map((r) => r.id),
      since,
      until,
    );
  }

  private async componentRow(db: Db, pageId: string, id: string): Promise<StatusComponentsTable> {
    const row = await db
      .selectFrom('status_components')
      .selectAll()
      .where('id', '=', id)
      .where('page_id', '=', pageId)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('component on this page', id, 'component_id');
    return row;
  }

  /** A group holds components of its own page, and groups do not nest. */
  private async checkGroup(db: Db, pageId: string, id: string, group: boolean, groupId: string | null) {
    if (groupId === null) return;
    if (group) {
      throw new ValidationError('A group cannot be inside another group: drop group_id or group.', {
        parameter: 'group_id',
      });
    }
    if (groupId === id) {
      throw new ValidationError('A component cannot be its own group.', { parameter: 'group_id' });
    }
    const target = await db
      .selectFrom('status_components')
      .select(['id', 'page_id', 'is_group'])
      .where('id', '=', groupId)
      .executeTakeFirst();
    if (!target) throw new NotFoundError('component group', groupId, 'group_id');
    if (target.page_id !== pageId) {
      throw new ValidationError(
        `Component group '${groupId}' is on another status page ('${target.page_id}'): a component's group must be on the same page.`,
        { parameter: 'group_id' },
      );
    }
    if (target.is_group !== 1) {
      throw new ValidationError(
        `Component '${groupId}' is not a group: create the group with group: true, then put components in it.`,
        { parameter: 'group_id' },
      );
    }
  }
}
