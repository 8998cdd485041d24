/**
 * The same small organisation on each provider, for the shared contract cases: Ann (the current
 * user) and Bob in team Ops, Cat in team Web; service API (Ops, Ops policy) and Shop (Web, Web
 * policy); the Ops policy pages the "Ops primary" schedule (Ann, always) and Ann herself; the Web
 * policy pages Cat; incidents "Disk full" on API (high) and "Checkout slow" on Shop (low).
 */
import { expect } from 'vitest';
import { startFakePagerDuty } from '../helpers/fake-pagerduty.js';
import { startFakePingera } from '../helpers/fake-pingera.js';
import { type Harness, openHarness, type ToolAnswer } from '../helpers/harness.js';
import { tempDir } from '../helpers/vigil.js';

export interface World {
  /** Logical name → the provider's id. */
  id: Record<string, string>;
  call(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>;
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, any>>;
  close(): Promise<void>;
}

function worldOf(h: Harness, id: Record<string, string>, close: () => Promise<void>): World {
  return { id, call: h.call, ok: h.ok, close };
}

const DAY = 86_400_000;

export async function embeddedWorld(): Promise<World> {
  const admin = await openHarness({ store: { dataDir: tempDir() } });
  const id: Record<string, string> = {};
  const first = async (tool: string, args: Record<string, unknown>) => {
    const body = await admin.ok(tool, args);
    return (Object.values(body).find(Array.isArray) as { id: string }[])[0]?.id as string;
  };
  id.ann = await first('create_user', { name: 'Ann', email: 'ann@acme.test' });
  id.bob = await first('create_user', { name: 'Bob', email: 'bob@acme.test' });
  id.cat = await first('create_user', { name: 'Cat', email: 'cat@acme.test' });
  id.ops = await first('create_team', { name: 'Ops', member_ids: [id.ann, id.bob] });
  id.web = await first('create_team', { name: 'Web', member_ids: [id.cat] });
  id.schedule = await first('create_schedule', {
    name: 'Ops primary',
    time_zone: 'UTC',
    schedule_layers: [
      {
        start: new Date(Date.now() - 30 * DAY).toISOString(),
        rotation_turn_length_seconds: 604_800,
        users: [id.ann],
      },
    ],
    team_ids: [id.ops],
  });
  id.opsPolicy = await first('create_escalation_policy', {
    name: 'Ops policy',
    escalation_rules: [
      {
        escalation_delay_in_minutes: 30,
        targets: [
          { id: id.schedule, type: 'schedule_reference' },
          { id: id.ann, type: 'user_reference' },
        ],
      },
    ],
    team_ids: [id.ops],
  });
  id.webPolicy = await first('create_escalation_policy', {
    name: 'Web policy',
    escalation_rules: [
      { escalation_delay_in_minutes: 30, targets: [{ id: id.cat, type: 'user_reference' }] },
    ],
    team_ids: [id.web],
  });
  id.api = await first('create_service', {
    name: 'API',
    team_ids: [id.ops],
    escalation_policy_id: id.opsPolicy,
  });
  id.shop = await first('create_service', {
    name: 'Shop',
    team_ids: [id.web],
    escalation_policy_id: id.webPolicy,
  });
  const ann = await admin.as({ userEmail: 'ann@acme.test' });
  id.disk = (await ann.ok('trigger_incident', { service_id: id.api, title: 'Disk full' })).incidents[0].id;
  id.slow = (
    await ann.ok('trigger_incident', { service_id: id.shop, title: 'Checkout slow', urgency: 'low' })
  ).incidents[0].id;
  return worldOf(ann, id, () => admin.close());
}

export async function pagerDutyWorld(): Promise<World> {
  const fake = await startFakePagerDuty();
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  fake.addAccount('acme-token', {
    me: 'PANN001',
    users: [
      { id: 'PANN001', name: 'Ann', email: 'ann@acme.test', teams: ['POPS001'] },
      { id: 'PBOB001', name: 'Bob', email: 'bob@acme.test', teams: ['POPS001'] },
      { id: 'PCAT001', name: 'Cat', email: 'cat@acme.test', teams: ['PWEB001'] },
    ],
    teams: [
      { id: 'POPS001', name: 'Ops' },
      { id: 'PWEB001', name: 'Web' },
    ],
    schedules: [{ id: 'PSCH001', name: 'Ops primary', time_zone: 'UTC', teams: ['POPS001'] }],
    shifts: [{ schedule: 'PSCH001', user: 'PANN001', start: iso(now - 30 * DAY), end: iso(now + 30 * DAY) }],
    escalation_policies: [
      {
        id: 'PEPO001',
        name: 'Ops policy',
        rules: [
          {
            delay: 30,
            targets: [
              { type: 'schedule', id: 'PSCH001' },
              { type: 'user', id: 'PANN001' },
            ],
          },
        ],
        teams: ['POPS001'],
      },
      {
        id: 'PEPW001',
        name: 'Web policy',
        rules: [{ delay: 30, targets: [{ type: 'user', id: 'PCAT001' }] }],
        teams: ['PWEB001'],
      },
    ],
    services: [
      { id: 'PAPI001', name: 'API', escalation_policy: 'PEPO001', teams: ['POPS001'] },
      { id: 'PSHP001', name: 'Shop', escalation_policy: 'PEPW001', teams: ['PWEB001'] },
    ],
    incidents: [
      {
        id: 'PDSK001',
        title: 'Disk full',
        service: 'PAPI001',
        urgency: 'high',
        created_at: iso(now - 3600_000),
      },
      {
        id: 'PSLW001',
        title: 'Checkout slow',
        service: 'PSHP001',
        urgency: 'low',
        created_at: iso(now - 1800_000),
      },
    ],
  });
  const h = await openHarness({
    store: { dataDir: tempDir() },
    env: { PAGERDUTY_API_TOKEN: 'acme-token', PAGERDUTY_API_HOST: fake.url },
  });
  const id = {
    ann: 'PANN001',
    bob: 'PBOB001',
    cat: 'PCAT001',
    ops: 'POPS001',
    web: 'PWEB001',
    schedule: 'PSCH001',
    opsPolicy: 'PEPO001',
    webPolicy: 'PEPW001',
    api: 'PAPI001',
    shop: 'PSHP001',
    disk: 'PDSK001',
    slow: 'PSLW001',
  };
  return worldOf(h, id, async () => {
    await h.close();
    const violations = fake.violations();
    await fake.close();
    // Every request the provider made must be one PagerDuty's API description allows.
    expect(violations).toEqual([]);
  });
}

/** An empty embedded engine: the monitoring cases create what they use. */
export async function embeddedMonitoring(): Promise<World> {
  const h = await openHarness({ store: { dataDir: tempDir() } });
  return worldOf(h, {}, () => h.close());
}

export async function pingeraMonitoring(): Promise<World> {
  // Jobs finish on their first poll, so `wait` answers without the provider's one-second sleeps.
  const fake = await startFakePingera({ jobs: { polls: 1 } });
  fake.addAccount('acme-key');
  const h = await openHarness({
    store: { dataDir: tempDir() },
    env: { PINGERA_API_KEY: 'acme-key', PINGERA_BASE_URL: fake.url },
  });
  return worldOf(h, {}, async () => {
    await h.close();
    const violations = fake.violations();
    await fake.close();
    // Every request the provider made must be one Pingera's API description allows.
    expect(violations).toEqual([]);
  });
}
