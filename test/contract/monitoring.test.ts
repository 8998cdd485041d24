/**
 * One set of cases for the Pingera-family tools (status pages, checks, check groups, heartbeats,
 * alerts, secrets), run against every provider that serves them: the embedded engine, and
 * Pingera (the loopback fake, every request checked against Pingera's API description). The
 * cases create what they use through the tools and see only tool answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedMonitoring, pingeraMonitoring, type World } from './worlds.js';

describe.each([
  { name: 'embedded', open: embeddedMonitoring },
  { name: 'pingera', open: pingeraMonitoring },
])('monitoring and status-page tools on $name', ({ open }) => {
  let w: World;
  const id: Record<string, string> = {};
  beforeAll(async () => {
    w = await open();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('status pages: a page, its components, a listing and one by id', async () => {
    const page = (
      await w.ok('create_page', { name: 'Acme', subdomain: 'acme-contract', headline: 'Acme status' })
    ).pages[0];
    expect(page).toMatchObject({ name: 'Acme', subdomain: 'acme-contract' });
    id.page = page.id;
    expect((await w.ok('list_pages')).pages.map((p: { id: string }) => p.id)).toContain(page.id);
    expect((await w.ok('get_page_details', { page_id: page.id })).pages[0]).toMatchObject({ name: 'Acme' });
    const api = (await w.ok('create_component', { page_id: page.id, name: 'API', status: 'operational' }))
      .components[0];
    id.api = api.id;
    await w.ok('create_component', { page_id: page.id, name: 'Web' });
    const listed = await w.ok('list_components', { page_id: page.id });
    expect(listed.components.map((c: { name: string }) => c.name).sort()).toEqual(['API', 'Web']);
    const patched = await w.ok('patch_component', {
      page_id: page.id,
      component_id: api.id,
      status: 'degraded_performance',
    });
    expect(patched.components[0]).toMatchObject({ id: api.id, status: 'degraded_performance' });
  });

  it('status pages: bad input names what was wrong', async () => {
    const unknown = await w.call('get_page_details', { page_id: 'nosuchpage00' });
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const bad = await w.call('create_component', { page_id: id.page, name: 'X', status: 'on_fire' });
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter: 'status' } });
  });

  it('status-page incidents: post, update, resolve', async () => {
    const incident = (
      await w.ok('create_incident', {
        page_id: id.page,
        name: 'API degraded',
        status: 'investigating',
        impact: 'minor',
        body: 'Looking into it',
        components: { [id.api as string]: 'degraded_performance' },
      })
    ).incidents[0];
    expect(incident).toMatchObject({ name: 'API degraded', status: 'investigating', impact: 'minor' });
    id.incident = incident.id;
    await w.ok('add_incident_update', {
      page_id: id.page,
      incident_id: incident.id,
      update_data: { body: 'Fix deployed, monitoring', status: 'monitoring' },
    });
    const updates = await w.ok('get_incident_updates', { page_id: id.page, incident_id: incident.id });
    expect(updates.incident_updates.map((u: { body: string }) => u.body)).toContain(
      'Fix deployed, monitoring',
    );
    const first = updates.incident_updates[0];
    const one = await w.ok('get_incident_update_details', {
      page_id: id.page,
      incident_id: incident.id,
      update_id: first.id,
    });
    expect(one.incident_updates).toEqual([first]);
    const resolved = await w.ok('patch_incident', {
      page_id: id.page,
      incident_id: incident.id,
      status: 'resolved',
    });
    expect(resolved.incidents[0]).toMatchObject({ status: 'resolved' });
  });

  it('checks: create, list, pause and resume, update, delete', async () => {
    const check = (
      await w.ok('create_check', {
        name: 'Site',
        type: 'web',
        url: 'https://example.com/health',
        interval: 300,
      })
    ).checks[0];
    expect(check).toMatchObject({
      name: 'Site',
      type: 'web',
      url: 'https://example.com/health',
      active: true,
    });
    id.check = check.id;
    expect((await w.ok('list_checks', { type: 'web' })).checks.map((c: { id: string }) => c.id)).toContain(
      check.id,
    );
    expect((await w.ok('pause_check', { check_id: check.id })).checks[0].active).toBe(false);
    expect((await w.ok('resume_check', { check_id: check.id })).checks[0].active).toBe(true);
    expect((await w.ok('update_check', { check_id: check.id, name: 'Site (prod)' })).checks[0].name).toBe(
      'Site (prod)',
    );
    const other = (await w.ok('create_check', { name: 'Port', type: 'tcp', host: 'example.com', port: 443 }))
      .checks[0];
    await w.ok('delete_check', { check_id: other.id });
    expect((await w.call('get_check_details', { check_id: other.id })).body.error.code).toBe('NOT_FOUND');
    const invalid = await w.call('create_check', { name: 'Bad', type: 'web', url: 'not a url' });
    expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('check groups hold checks', async () => {
    const group = (await w.ok('create_check_group', { name: 'Production' })).groups[0];
    await w.ok('update_check', { check_id: id.check, group_id: group.id });
    const inGroup = await w.ok('get_checks_in_group', { group_id: group.id });
    expect(inGroup.checks.map((c: { id: string }) => c.id)).toEqual([id.check]);
  });

  it('on-demand checks: a job that can be looked up again', async () => {
    const job = (
      await w.ok('execute_custom_check', {
        type: 'tcp',
        name: 'Probe',
        host: '127.0.0.1',
        port: 9,
        timeout: 2,
        wait: true,
      })
    ).jobs[0];
    expect(['completed', 'failed']).toContain(job.status);
    const again = await w.ok('get_on_demand_job_status', { job_id: job.id });
    expect(again.jobs[0]).toMatchObject({ id: job.id, status: job.status });
    const listed = await w.ok('list_on_demand_checks');
    expect(listed.jobs.map((j: { id: string }) => j.id)).toContain(job.id);
  });

  it('heartbeats: create, ping, read the ping log', async () => {
    const hb = (
      await w.ok('create_heartbeat', { heartbeat_data: { name: 'Nightly backup', period_seconds: 86_400 } })
    ).heartbeats[0];
    expect(hb).toMatchObject({ name: 'Nightly backup', period_seconds: 86_400 });
    expect(hb.ping_url).toEqual(expect.any(String));
    await w.ok('send_heartbeat_ping', { heartbeat_id: hb.id });
    const logs = await w.ok('get_heartbeat_logs', { heartbeat_id: hb.id });
    expect(logs.pings.length).toBeGreaterThanOrEqual(1);
    expect((await w.ok('list_heartbeats')).heartbeats.map((h: { id: string }) => h.id)).toContain(hb.id);
  });

  it('alerts: a channel and a rule on a check', async () => {
    const channel = (
      await w.ok('create_alert_channel', {
        name: 'Ops hook',
        type: 'webhook',
        configuration: { url: 'https://hooks.example.com/vigil' },
      })
    ).channels[0];
    const rule = (
      await w.ok('create_alert', {
        alert_data: {
          name: 'Site down',
          check_id: id.check,
          condition: 'check_failed',
          channel_ids: [channel.id],
        },
      })
    ).rules[0];
    expect(rule).toMatchObject({ name: 'Site down', check_id: id.check, condition: 'check_failed' });
    expect((await w.ok('list_alert_rules')).rules.map((r: { id: string }) => r.id)).toContain(rule.id);
    expect((await w.ok('list_alert_channels')).channels.map((c: { id: string }) => c.id)).toContain(
      channel.id,
    );
    await w.ok('delete_alert', { alert_id: rule.id });
    expect((await w.ok('list_alert_rules')).rules.map((r: { id: string }) => r.id)).not.toContain(rule.id);
  });

  it('secrets: values never listed', async () => {
    const secret = (await w.ok('create_secret', { name: 'API_TOKEN', value: 's3cr3t-value' })).secrets[0];
    const listed = await w.ok('list_secrets');
    expect(JSON.stringify(listed)).not.toContain('s3cr3t-value');
    expect(listed.secrets.map((s: { id: string }) => s.id)).toContain(secret.id);
    await w.ok('delete_secret', { secret_id: secret.id });
    expect((await w.call('get_secret_details', { secret_id: secret.id })).body.error.code).toBe('NOT_FOUND');
  });
});
