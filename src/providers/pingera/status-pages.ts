/**
 * The statusPages port on Pingera: pages, components and component groups, incidents and their
 * updates, at the endpoints the API really has (reference/pingera-notes.md §2.2, §2.4; the seed
 * called several that do not exist, §1.8). Vigil's types were modelled on Pingera's, so fields
 * pass through (status-pages-map.ts); nulls become the defaults the embedded provider answers
 * with, ids strings and timestamps UTC ISO 8601.
 *
 * Choices made here:
 * - A page is named by its id. When Pingera has no page with that id, the ref is looked up as a
 *   subdomain in the page list (case-insensitive), as the embedded provider accepts either: the
 *   common case costs one request, a subdomain one more listing.
 * - Pingera answers 404 both for a missing page and for a missing item on it; the page is looked
 *   up to tell which, so the error names the right parameter (`page_id`, `component_id`, …).
 * - Changes use PATCH: Pingera's PUT and PATCH take the same all-optional bodies (Page1,
 *   Component1, IncidentUpdateSchemaEdit, IncidentUpdateEdit), and the tools change only the
 *   fields given.
 * - Groups: a group is a Component with `group: true`; it is created at `/component-groups`, and
 *   read, changed or deleted there when `/components/{id}` does not know it. Listings merge both
 *   collections, so they are right whether or not `/components` includes groups (the August 2025
 *   spec excerpt has it list them only with `show_groups=true`). A group shows its worst member's
 *   status, as on the embedded provider; `own_status` is Pingera's own.
 * - Components, incidents and updates are not paginated by Pingera: they are paged here.
 * - Not supported, because the API has no way to do it (NOT_SUPPORTED naming the provider):
 *   deleting an incident update (no DELETE endpoint); writing maintenance schedules, maintenance
 *   statuses or metadata (maintenance is read, and Pingera runs it, but no incident body takes
 *   them); clearing a field that takes no null and has no empty value (a subdomain, group_id,
 *   start_date, impact back to none). See status-pages-map.ts.
 */
import type { Page } from '../../core/directory.js';
import { NotFoundError, NotSupportedError, type VigilError } from '../../core/errors.js';
import type {
  CheckedDay,
  Component,
  ComponentInput,
  IncidentInput,
  IncidentStatus,
  IncidentUpdate,
  IncidentUpdateInput,
  PageInput,
  StatusIncident,
  StatusPage,
  StatusPagesPort,
} from '../../core/status-pages.js';
import type { PingeraClient } from './client.js';
import { arr, isNotFound, type Raw, record, seg, str } from './raw.js';
import {
  byPosition,
  componentBody,
  incidentBody,
  newestFirst,
  pageBody,
  paged,
  rowsOf,
  toComponent,
  toIncident,
  toPage,
  toUpdate,
  withGroupStatus,
} from './status-pages-map.js';

const PAGES = '/v1/pages';
/** How many pages a subdomain lookup reads at most (Pingera pages are few per account). */
const SCAN_LIMIT = 1000;

const unsupported = (what: string) => Promise.reject(new NotSupportedError(what, 'pingera'));

export class PingeraStatusPages implements StatusPagesPort {
  constructor(private readonly client: PingeraClient) {}

  // Pages

  async listPages(f: { limit: number; offset: number }): Promise<Page<StatusPage>> {
    // GET /v1/pages answers `{pages, pagination}` or (the Aug 2025 spec excerpt) a bare array:
    // client.list() takes both.
    const got = await this.client.list<unknown>(PAGES, 'pages', {}, 'page_size', f.limit, f.offset);
    return { items: arr(got.items).map(toPage), more: got.more };
  }

  async getPage(ref: string): Promise<StatusPage | undefined> {
    const byId = await this.client.find<unknown>(`${PAGES}/${seg(ref)}`);
    if (byId !== undefined) return toPage(record(byId, 'a status page'));
    return this.bySubdomain(ref);
  }

  /** Uptime bars from linked checks are the embedded engine's; Pingera draws its own pages. */
  async checkedUptime(): Promise<Map<string, CheckedDay[]>> {
    return new Map();
  }

  async getPageByDomain(domain: string): Promise<StatusPage | undefined> {
    const found = await this.client.find<unknown>(`${PAGES}/by-domain/${seg(domain.toLowerCase())}`);
    return found === undefined ? undefined : toPage(record(found, 'a status page'));
  }

  async createPage(input: PageInput): Promise<StatusPage> {
    return toPage(
      record(await this.client.send('POST', PAGES, pageBody(input, 'create')), 'the new status page'),
    );
  }

  async updatePage(ref: string, patch: Partial<PageInput>): Promise<StatusPage> {
    const body = pageBody(patch, 'update');
    return this.onPage(ref, async (pageId) =>
      toPage(record(await this.client.send('PATCH', `${PAGES}/${seg(pageId)}`, body), 'the status page')),
    );
  }

  async deletePage(ref: string): Promise<StatusPage> {
    const page = await this.getPage(ref);
    if (!page) throw new NotFoundError('status page', ref, 'page_id');
    await this.client.send('DELETE', `${PAGES}/${seg(page.id)}`);
    return page;
  }

  // Components and groups

  async listComponents(
    pageRef: string,
    f: { groups?: boolean | undefined; limit: number; offset: number },
  ): Promise<Page<Component>> {
    const all = await this.onPage(pageRef, (pageId) => this.allComponents(pageId));
    const shown = all.map((c) => withGroupStatus(c, all));
    return paged(f.groups ? shown.filter((c) => c.group) : shown, f);
  }

  async getComponent(pageRef: string, id: string): Promise<Component> {
    return this.onPage(
      pageRef,
      async (pageId) =>
        this.shown(pageId, await this.componentAt(pageId, id, (path) => this.client.get<unknown>(path))),
      () => missingComponent(id),
    );
  }

  async createComponent(pageRef: string, input: ComponentInput): Promise<Component> {
    const collection = input.group ? 'component-groups' : 'components';
    const body = componentBody(input, 'create');
    return this.onPage(pageRef, async (pageId) =>
      toComponent(
        record(
          await this.client.send('POST', `${PAGES}/${seg(pageId)}/${collection}`, body),
          'the new component',
        ),
        pageId,
      ),
    );
  }

  async updateComponent(pageRef: string, id: string, patch: Partial<ComponentInput>): Promise<Component> {
    const body = componentBody(patch, 'update');
    return this.onPage(
      pageRef,
      async (pageId) =>
        this.shown(
          pageId,
          await this.componentAt(pageId, id, (path) => this.client.send('PATCH', path, body)),
        ),
      () => missingComponent(id),
    );
  }

  async deleteComponent(pageRef: string, id: string): Promise<Component> {
    const component = await this.getComponent(pageRef, id);
    await this.componentAt(component.page_id, id, (path) => this.client.send('DELETE', path));
    return component;
  }

  /** A component as the page shows it: a group needs its members for that. */
  private async shown(pageId: string, body: unknown): Promise<Component> {
    const c = toComponent(record(body, 'a component'), pageId);
    return c.group ? withGroupStatus(c, await this.allComponents(pageId)) : c;
  }

  /** Components and groups of a page, merged by id, in display order. */
  private async allComponents(pageId: string): Promise<Component[]> {
    const base = `${PAGES}/${seg(pageId)}`;
    const [components, groups] = await Promise.all([
      this.client.get<unknown>(`${base}/components`),
      this.client.get<unknown>(`${base}/component-groups`),
    ]);
    const byId = new Map<string, Component>();
    for (const r of [...rowsOf(groups, 'components'), ...rowsOf(components, 'components')]) {
      const c = toComponent(r, pageId);
      byId.set(c.id, { ...c, group: c.group || byId.get(c.id)?.group === true });
    }
    return [...byId.values()].sort(byPosition);
  }

  /** `call` on the component's path, or on the group's when `/components/{id}` does not know it. */
  private async componentAt<T>(pageId: string, id: string, call: (path: string) => Promise<T>): Promise<T> {
    const base = `${PAGES}/${seg(pageId)}`;
    try {
      return await call(`${base}/components/${seg(id)}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return call(`${base}/component-groups/${seg(id)}`);
    }
  }

  // Incidents and maintenance

  async listIncidents(
    pageRef: string,
    f: { status?: IncidentStatus | undefined; limit: number; offset: number },
  ): Promise<Page<StatusIncident>> {
    const rows = await this.onPage(pageRef, async (pageId) =>
      rowsOf(await this.client.get<unknown>(`${PAGES}/${seg(pageId)}/incidents`), 'incidents').map((r) =>
        toIncident(r, pageId),
      ),
    );
    const chosen = f.status ? rows.filter((i) => i.status === f.status) : rows;
    return paged(chosen.sort(newestFirst), f);
  }

  async getIncident(pageRef: string, id: string): Promise<StatusIncident> {
    return this.onPage(
      pageRef,
      async (pageId) => this.complete(pageId, await this.client.get<unknown>(this.incidentPath(pageId, id))),
      () => missingIncident(id),
    );
  }

  async createIncident(pageRef: string, input: IncidentInput): Promise<StatusIncident> {
    const body = incidentBody(input, 'create');
    return this.onPage(pageRef, async (pageId) =>
      this.complete(pageId, await this.client.send('POST', `${PAGES}/${seg(pageId)}/incidents`, body)),
    );
  }

  async updateIncident(pageRef: string, id: string, patch: Partial<IncidentInput>): Promise<StatusIncident> {
    const body = incidentBody(patch, 'update');
    return this.onPage(
      pageRef,
      async (pageId) =>
        this.complete(pageId, await this.client.send('PATCH', this.incidentPath(pageId, id), body)),
      () => missingIncident(id),
    );
  }

  async deleteIncident(pageRef: string, id: string): Promise<StatusIncident> {
    const incident = await this.getIncident(pageRef, id);
    await this.client.send('DELETE', this.incidentPath(incident.page_id, id));
    return incident;
  }

  private incidentPath(pageId: string, id: string): string {
    return `${PAGES}/${seg(pageId)}/incidents/${seg(id)}`;
  }

  /** An incident with its updates, read from `/incident_updates` when the answer lacks them. */
  private async complete(pageId: string, body: unknown): Promise<StatusIncident> {
    const raw = record(body, 'an incident');
    if (Array.isArray(raw.incident_updates)) return toIncident(raw, pageId);
    return toIncident(raw, pageId, await this.updates(pageId, raw.id));
  }

  // Incident updates

  async listIncidentUpdates(pageRef: string, incidentId: string): Promise<IncidentUpdate[]> {
    return this.onPage(
      pageRef,
      (pageId) => this.updates(pageId, incidentId),
      () => missingIncident(incidentId),
    );
  }

  async addIncidentUpdate(
    pageRef: string,
    incidentId: string,
    input: IncidentUpdateInput,
  ): Promise<IncidentUpdate> {
    // IncidentUpdateCreate: the same incident statuses as an incident write.
    const body = incidentBody(input, 'create');
    return this.onPage(
      pageRef,
      async (pageId) =>
        toUpdate(
          record(
            await this.client.send('POST', `${this.incidentPath(pageId, incidentId)}/incident_updates`, body),
            'the new incident update',
          ),
          incidentId,
        ),
      () => missingIncident(incidentId),
    );
  }

  async editIncidentUpdate(
    pageRef: string,
    incidentId: string,
    updateId: string,
    patch: { body?: string | undefined; created_at?: string | undefined },
  ): Promise<IncidentUpdate> {
    const body: Raw = {};
    if (patch.body !== undefined) body.body = patch.body;
    if (patch.created_at !== undefined) body.created_at = patch.created_at;
    return this.onPage(
      pageRef,
      async (pageId) => {
        const path = `${this.incidentPath(pageId, incidentId)}/incident_updates/${seg(updateId)}`;
        return toUpdate(
          record(await this.client.send('PATCH', path, body), 'the incident update'),
          incidentId,
        );
      },
      // The 404 does not say whether the incident or its update is missing: ask.
      async (pageId) =>
        (await this.client.find(this.incidentPath(pageId, incidentId)))
          ? new NotFoundError('update of this incident', updateId, 'update_id')
          : missingIncident(incidentId),
    );
  }

  deleteIncidentUpdate(_pageRef: string, _incidentId: string, _updateId: string): Promise<IncidentUpdate> {
    // Pingera has GET/POST …/incident_updates and PUT/PATCH …/incident_updates/{id}, no DELETE.
    return unsupported('deleting an incident update (Pingera has no endpoint for it; edit its body instead)');
  }

  private async updates(pageId: string, incidentId: string): Promise<IncidentUpdate[]> {
    const body = await this.client.get<unknown>(`${this.incidentPath(pageId, incidentId)}/incident_updates`);
    return rowsOf(body, 'incident_updates')
      .map((u) => toUpdate(u, incidentId))
      .sort(newestFirst);
  }

  // Page references

  /** The page whose subdomain is `ref`, read from the page list. */
  private async bySubdomain(ref: string): Promise<StatusPage | undefined> {
    const wanted = ref.toLowerCase();
    const got = await this.client.list<unknown>(PAGES, 'pages', {}, 'page_size', SCAN_LIMIT, 0);
    const found = arr(got.items).find((p) => str(p.subdomain)?.toLowerCase() === wanted);
    return found && toPage(found);
  }

  /**
   * `call` with the page's id: first `ref` itself; on a 404, the page is looked up (by id, then
   * by subdomain) to tell a missing page (NOT_FOUND on `page_id`) from a missing item on it
   * (`missing`, given the page's id), and `call` runs again when `ref` was a subdomain.
   */
  private async onPage<T>(
    ref: string,
    call: (pageId: string) => Promise<T>,
    missing?: (pageId: string) => VigilError | Promise<VigilError>,
  ): Promise<T> {
    let first: unknown;
    try {
      return await call(ref);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      first = err;
    }
    const byId = await this.client.find<unknown>(`${PAGES}/${seg(ref)}`);
    const pageId = byId !== undefined ? ref : (await this.bySubdomain(ref))?.id;
    if (pageId === undefined) throw new NotFoundError('status page', ref, 'page_id');
    if (pageId === ref) throw missing ? await missing(pageId) : first;
    try {
      return await call(pageId);
    } catch (err) {
      if (isNotFound(err) && missing) throw await missing(pageId);
      throw err;
    }
  }
}

const missingComponent = (id: string) => new NotFoundError('component on this page', id, 'component_id');
const missingIncident = (id: string) => new NotFoundError('incident on this status page', id, 'incident_id');
