/**
 * The `statusPages` port on the embedded store: pages and components (StatusComponentsRepository)
 * and their incidents, maintenance and updates (StatusIncidentsRepository), joined by delegation
 * as every wide port here is, with one change notice for both.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { StatusPagesPort } from '../../../core/status-pages.js';
import type { Database } from './schema.js';
import { StatusComponentsRepository } from './status-components-repo.js';
import { StatusIncidentsRepository } from './status-incidents-repo.js';

type Port = StatusPagesPort;

export class StatusPagesRepository implements StatusPagesPort {
  private readonly listeners = new Set<() => void>();
  private readonly components: StatusComponentsRepository;
  private readonly incidents: StatusIncidentsRepository;

  constructor(db: Kysely<Database>, clock: Clock) {
    const changed = () => this.changed();
    this.components = new StatusComponentsRepository(db, clock, changed);
    this.incidents = new StatusIncidentsRepository(db, clock, changed);
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Tells the listeners something changed; called after every write, here and by the engine. */
  changed(): void {
    for (const listener of this.listeners) listener();
  }

  listPages: Port['listPages'] = (f) => this.components.listPages(f);
  getPage: Port['getPage'] = (ref) => this.components.getPage(ref);
  getPageByDomain: Port['getPageByDomain'] = (domain) => this.components.getPageByDomain(domain);
  createPage: Port['createPage'] = (input) => this.components.createPage(input);
  updatePage: Port['updatePage'] = (ref, patch) => this.components.updatePage(ref, patch);
  deletePage: Port['deletePage'] = (ref) => this.components.deletePage(ref);

  listComponents: Port['listComponents'] = (page, f) => this.components.listComponents(page, f);
  getComponent: Port['getComponent'] = (page, id) => this.components.getComponent(page, id);
  createComponent: Port['createComponent'] = (page, input) => this.components.createComponent(page, input);
  updateComponent: Port['updateComponent'] = (page, id, patch) =>
    this.components.updateComponent(page, id, patch);
  deleteComponent: Port['deleteComponent'] = (page, id) => this.components.deleteComponent(page, id);
  checkedUptime: Port['checkedUptime'] = (page, since, until) =>
    this.components.checkedUptime(page, since, until);

  listIncidents: Port['listIncidents'] = (page, f) => this.incidents.listIncidents(page, f);
  getIncident: Port['getIncident'] = (page, id) => this.incidents.getIncident(page, id);
  createIncident: Port['createIncident'] = (page, input) => this.incidents.createIncident(page, input);
  updateIncident: Port['updateIncident'] = (page, id, patch) =>
    this.incidents.updateIncident(page, id, patch);
  deleteIncident: Port['deleteIncident'] = (page, id) => this.incidents.deleteIncident(page, id);

  listIncidentUpdates: Port['listIncidentUpdates'] = (page, incident) =>
    this.incidents.listIncidentUpdates(page, incident);
  addIncidentUpdate: Port['addIncidentUpdate'] = (page, incident, input) =>
    this.incidents.addIncidentUpdate(page, incident, input);
  editIncidentUpdate: Port['editIncidentUpdate'] = (page, incident, update, patch) =>
    this.incidents.editIncidentUpdate(page, incident, update, patch);
  deleteIncidentUpdate: Port['deleteIncidentUpdate'] = (page, incident, update) =>
    this.incidents.deleteIncidentUpdate(page, incident, update);
}
