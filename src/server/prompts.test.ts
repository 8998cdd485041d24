/**
 * The workflow prompts: every tool and parameter a prompt names exists (checked against the
 * registry, so a renamed tool fails here), steps the client cannot follow are left out, and
 * prompts/list and prompts/get answer a real v2 client, with clear errors for an unknown prompt,
 * a missing, unknown or malformed argument.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { tempDir } from '../../test/helpers/vigil.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { PROMPTS, type PromptDefinition, renderPrompt } from './prompts.js';

const TOOLS = new Map(ALL_TOOLS.map((t) => [t.name, t]));
const EVERY_TOOL: ReadonlySet<string> = new Set(TOOLS.keys());
/** Words of results, not parameters, that a prompt may name. */
const RESULT_WORDS = new Set(['next_cursor']);

/** Argument sets that reach every branch of a prompt's text: none of the optional ones, and all. */
function argumentSets(prompt: PromptDefinition): Record<string, string>[] {
  const sample: Record<string, string> = {
    incident_id: 'INC42',
    page_id: 'PG1',
    schedule_id: 'SCH1',
    user_id: 'U1',
    since: '2026-01-31T08:00:00Z',
  };
  const all = Object.fromEntries(prompt.arguments.map((a) => [a.name, sample[a.name] ?? 'x']));
  const required = Object.fromEntries(
    prompt.arguments.filter((a) => a.required).map((a) => [a.name, sample[a.name] ?? 'x']),
  );
  return [required, all];
}

/** The text of a prompts/get answer's one message. */
function promptText(r: { messages: { content: unknown }[] }): string {
  return (r.messages[0]?.content as { text?: string } | undefined)?.text ?? '';
}

const snakeWords = (text: string) => [...new Set(text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [])];

describe('prompt texts', () => {
  it.each(PROMPTS.map((p) => [p.name, p] as const))(
    '%s names only real tools, each in a step that declares it, with their real parameters',
    (_name, prompt) => {
      for (const t of [...prompt.needs, ...prompt.steps.flatMap((s) => s.tools)])
        expect(TOOLS.has(t), t).toBe(true);
      for (const args of argumentSets(prompt)) {
        for (const step of prompt.steps) {
          const text = step.text(args);
          if (text === undefined) continue;
          const params = new Set(step.tools.flatMap((t) => Object.keys(TOOLS.get(t)?.input.shape ?? {})));
          for (const word of snakeWords(text)) {
            if (TOOLS.has(word)) expect(step.tools, `${word} in: ${text}`).toContain(word);
            else expect(params.has(word) || RESULT_WORDS.has(word), `${word} in: ${text}`).toBe(true);
          }
        }
        for (const word of snakeWords(`${prompt.intro(args)} ${prompt.outro}`))
          expect(TOOLS.has(word), `${word} outside a step`).toBe(false);
      }
    },
  );

  it('leaves out the steps whose tools the client does not see, and renumbers the rest', () => {
    const triage = PROMPTS.find((p) => p.name === 'triage') as PromptDefinition;
    const checksOnly = new Set(['list_checks', 'get_check_status_history']);
    const text = renderPrompt(triage, {}, checksOnly);
    expect(text).toMatch(/^1\. Call list_checks/m);
    expect(text).toMatch(/^2\. For each failing check, call get_check_status_history/m);
    expect(text).not.toMatch(/^3\./m);
    for (const word of snakeWords(text)) if (TOOLS.has(word)) expect(checksOnly.has(word), word).toBe(true);
    const full = renderPrompt(triage, {}, EVERY_TOOL);
    expect(full).toMatch(/^6\. Call list_alerts/m);
  });
});

describe('prompts over MCP', () => {
  let h: Harness;
  let ro: Harness;
  beforeAll(async () => {
    h = await openHarness({ store: { dataDir: tempDir() } });
    ro = await h.as({ mode: 'read_only' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the four workflow prompts with their arguments', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual([
      'triage',
      'draft_status_update',
      'write_postmortem',
      'handover_oncall',
    ]);
    const draft = prompts.find((p) => p.name === 'draft_status_update');
    expect(draft?.arguments).toEqual([
      { name: 'incident_id', description: expect.stringContaining('responder incident'), required: true },
      { name: 'page_id', description: expect.stringContaining('status page'), required: false },
    ]);
    expect(prompts.find((p) => p.name === 'triage')?.arguments).toEqual([]);
  });

  it('renders a prompt with its arguments as one user message', async () => {
    const r = await h.client.getPrompt({ name: 'write_postmortem', arguments: { incident_id: 'Q1AB2' } });
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]?.role).toBe('user');
    expect(r.messages[0]?.content.type).toBe('text');
    const text = promptText(r);
    expect(text).toMatch(/^Write a blameless postmortem for responder incident Q1AB2\./);
    expect(text).toContain("get_incident_timeline with incident_id 'Q1AB2'");
    expect(text).toMatch(/Action items/);
    const handover = await h.client.getPrompt({
      name: 'handover_oncall',
      arguments: { schedule_id: 'S1', since: '2026-01-31T08:00:00Z' },
    });
    const handoverText = promptText(handover);
    expect(handoverText).toContain("schedule_ids ['S1'], current_user_context=false");
    expect(handoverText).toContain("since '2026-01-31T08:00:00Z'");
    expect(handoverText).toContain('add_incident_note');
  });

  it('the calls the prompts spell out are accepted by the tools as written', async () => {
    const ann = (await h.ok('create_user', { name: 'Ann', email: 'ann@x.io' })).users[0].id;
    const team = (await h.ok('create_team', { name: 'Payments', member_ids: [ann] })).teams[0].id;
    const service = (await h.ok('create_service', { name: 'Checkout', team_ids: [team] })).services[0].id;
    const schedule = (
      await h.ok('create_schedule', {
        name: 'Primary',
        time_zone: 'UTC',
        schedule_layers: [
          { start: '2026-01-05T09:00:00Z', rotation_turn_length_seconds: 604800, users: [ann] },
        ],
      })
    ).schedules[0].id;
    const me = await h.as({ userEmail: 'ann@x.io' });
    const incident = (await me.ok('trigger_incident', { service_id: service, title: 'DB down' })).incidents[0]
      .id;
    const open = ['triggered', 'acknowledged'];
    const until = new Date(Date.now() + 24 * 3600_000).toISOString();
    const calls: [string, Record<string, unknown>][] = [
      ['get_status_overview', { current_user_context: false }],
      ['get_incidents', { statuses: open }],
      ['get_incidents', { statuses: open, service_ids: [service], current_user_context: false }],
      ['list_checks', { status: 'failed' }],
      ['list_heartbeats', { status: 'down' }],
      ['list_alerts', { status: 'firing' }],
      ['get_incidents', { incident_id: incident, include_notes: true }],
      [
        'get_incidents',
        {
          incident_id: incident,
          include_notes: true,
          include_past_incidents: true,
          include_related_incidents: true,
        },
      ],
      ['get_incident_timeline', { incident_id: incident }],
      ['get_oncalls', { until }],
      ['get_oncalls', { schedule_ids: [schedule], user_ids: [ann], current_user_context: false, until }],
      ['list_users_oncall', { schedule_id: schedule, until }],
      ['get_incidents', { since: new Date(Date.now() - 24 * 3600_000).toISOString() }],
      ['list_pages', {}],
    ];
    for (const [tool, args] of calls) {
      const r = await me.call(tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(r.body)}`).toBe(false);
    }
  });

  it('leaves the write steps out for a read-only client', async () => {
    const r = await ro.client.getPrompt({ name: 'handover_oncall', arguments: {} });
    const text = promptText(r);
    expect(text).toContain('get_oncalls');
    expect(text).not.toContain('add_incident_note');
  });

  it('lists only the prompts whose tools the client sees, and refuses the others', async () => {
    const checks = await openHarness({ store: { dataDir: tempDir() }, env: { VIGIL_TOOLSETS: 'checks' } });
    try {
      const { prompts } = await checks.client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(['triage']);
      const text = promptText(await checks.client.getPrompt({ name: 'triage' }));
      expect(text).toMatch(/^1\. Call list_checks/m);
      expect(text).not.toContain('get_incidents');
      await expect(
        checks.client.getPrompt({ name: 'write_postmortem', arguments: { incident_id: 'A1' } }),
      ).rejects.toThrow(
        /Prompt 'write_postmortem' needs get_incidents or get_incident_timeline, which this client does not see .*Prompts: triage\./,
      );
    } finally {
      await checks.close();
    }
  });

  it('refuses an unknown prompt, naming the prompts there are', async () => {
    await expect(h.client.getPrompt({ name: 'triag' })).rejects.toThrow(
      /Unknown prompt 'triag'\. Did you mean triage\? Prompts: triage, draft_status_update, write_postmortem, handover_oncall\./,
    );
  });

  it('refuses a missing required argument, naming it', async () => {
    await expect(h.client.getPrompt({ name: 'draft_status_update', arguments: {} })).rejects.toThrow(
      /Prompt 'draft_status_update' needs the argument 'incident_id'/,
    );
    await expect(
      h.client.getPrompt({ name: 'write_postmortem', arguments: { incident_id: '  ' } }),
    ).rejects.toThrow(/needs the argument 'incident_id'/);
  });

  it('refuses an unknown or malformed argument', async () => {
    await expect(
      h.client.getPrompt({ name: 'write_postmortem', arguments: { incident_id: 'A1', incident: 'A1' } }),
    ).rejects.toThrow(/Unknown argument 'incident' for prompt 'write_postmortem'\. Arguments: incident_id\./);
    await expect(
      h.client.getPrompt({ name: 'write_postmortem', arguments: { incident_id: "A1'; drop" } }),
    ).rejects.toThrow(/Invalid argument 'incident_id': Invalid incident_id format/);
    await expect(
      h.client.getPrompt({ name: 'handover_oncall', arguments: { since: 'yesterday' } }),
    ).rejects.toThrow(/Invalid argument 'since': must be an ISO 8601 time/);
  });
});
