/**
 * Both SaaS providers at once beside the embedded engine: PagerDuty answers incident response,
 * Pingera monitoring and status pages, and test_connection reports all three.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../helpers/fake-pagerduty.js';
import { type FakePingera, startFakePingera } from '../helpers/fake-pingera.js';
import { type Harness, openHarness } from '../helpers/harness.js';
import { tempDir } from '../helpers/vigil.js';

describe('PagerDuty and Pingera together', () => {
  let pd: FakePagerDuty;
  let pg: FakePingera;
  let h: Harness;

  beforeAll(async () => {
    pd = await startFakePagerDuty();
    pd.addAccount('pd-token', {
      me: 'PANN001',
      users: [{ id: 'PANN001', name: 'Ann', email: 'ann@acme.test', teams: ['POPS001'] }],
      teams: [{ id: 'POPS001', name: 'Ops' }],
      escalation_policies: [
        { id: 'PEP0001', name: 'Ops', rules: [{ targets: [{ type: 'user', id: 'PANN001' }] }] },
      ],
      services: [{ id: 'PAPI001', name: 'API', escalation_policy: 'PEP0001', teams: ['POPS001'] }],
      incidents: [{ id: 'PINC001', title: 'Disk full', service: 'PAPI001' }],
    });
    pg = await startFakePingera();
    pg.addAccount('pg-key', { pages: [{ name: 'Acme status' }] });
    h = await openHarness({
      store: { dataDir: tempDir() },
      env: {
        PAGERDUTY_API_TOKEN: 'pd-token',
        PAGERDUTY_API_HOST: pd.url,
        PINGERA_API_KEY: 'pg-key',
        PINGERA_BASE_URL: pg.url,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([pd?.close(), pg?.close()]);
  });

  it('each toolset goes to its provider, and test_connection reports every one', async () => {
    expect((await h.ok('get_incidents')).incidents.map((i: { title: string }) => i.title)).toEqual([
      'Disk full',
    ]);
    expect((await h.ok('list_pages')).pages.map((p: { name: string }) => p.name)).toEqual(['Acme status']);
    // Heartbeats are Pingera's too; the embedded engine's store has none of these.
    const hb = (await h.ok('create_heartbeat', { heartbeat_data: { name: 'Backup', period_seconds: 3600 } }))
      .heartbeats[0];
    expect(pg.requests.some((r) => r.method === 'POST' && r.path === '/v1/heartbeats')).toBe(true);
    expect(hb.name).toBe('Backup');
    const { connections } = await h.ok('test_connection');
    expect(
      connections.map((c: { provider: string; connected: boolean }) => [c.provider, c.connected]),
    ).toEqual([
      ['embedded', true],
      ['pagerduty', true],
      ['pingera', true],
    ]);
    // What a provider cannot do at all is not listed; called anyway, it says which provider lacks it.
    const listed = (await h.client.listTools()).tools.map((t) => t.name);
    expect(listed).not.toContain('create_user');
    expect(listed).not.toContain('delete_incident_update');
    expect(listed).toContain('update_incident_update');
    const gone = await h.call('delete_incident_update', {
      page_id: 'pg0000000001',
      incident_id: 'in0000000001',
      update_id: 'up0000000001',
    });
    expect(gone.body.error).toMatchObject({ code: 'NOT_SUPPORTED', details: { provider: 'pingera' } });
    expect([...pd.violations(), ...pg.violations()]).toEqual([]);
  });
});
