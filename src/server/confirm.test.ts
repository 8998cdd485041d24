/**
 * Confirmation through elicitation, with the official v2 client in-process (2025 era: the SDK's
 * shim sends elicitation/create and calls the handler again). A yes runs the call; no, a cancelled
 * question or an unticked box change nothing and say so; a client without elicitation is not asked
 * and the call runs as before. test/e2e/confirmation.test.ts does the same over Streamable HTTP
 * (2026-07-28 era: input_required and a retried call) and the legacy SSE transport.
 */
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { tempDir } from '../../test/helpers/vigil.js';
import type { Principal } from '../core/principal.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { buildServer } from './build-server.js';
import { action, consequence } from './confirm.js';

type Reply = 'yes' | 'no' | 'cancel' | 'unticked';

function answer(reply: Reply) {
  if (reply === 'yes') return { action: 'accept' as const, content: { confirm: true } };
  if (reply === 'unticked') return { action: 'accept' as const, content: { confirm: false } };
  return { action: reply === 'no' ? ('decline' as const) : ('cancel' as const) };
}

function body(r: { content?: unknown }): Record<string, any> {
  return JSON.parse((r.content as { text: string }[])[0]?.text ?? 'null');
}

const ANN: Principal = { kind: 'local', label: 'local', mode: 'read_write', userEmail: 'ann@x.io' };

describe('confirmation through elicitation, in-process', () => {
  let h: Harness;
  let service: string;
  const clients: Client[] = [];
  /** The questions the asking client was asked, in order, and how it answers the next ones. */
  let asked: string[] = [];
  let reply: Reply = 'yes';

  /** A client that declares form elicitation (unless `elicits` is false) and answers `reply`. */
  async function connect(principal: Principal, elicits = true): Promise<Client> {
    const client = new Client(
      { name: 'asker', version: '1' },
      elicits ? { capabilities: { elicitation: { form: {} } } } : {},
    );
    if (elicits) {
      client.setRequestHandler('elicitation/create', async (req) => {
        asked.push((req.params as { message: string }).message);
        return answer(reply);
      });
    }
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await buildServer(h.rt.service, { principal }).connect(serverSide);
    await client.connect(clientSide);
    clients.push(client);
    return client;
  }

  const newTeam = async (name: string): Promise<string> => (await h.ok('create_team', { name })).teams[0].id;
  const teamExists = async (id: string) => !(await h.call('get_teams', { team_id: id })).isError;

  beforeAll(async () => {
    h = await openHarness({ store: { dataDir: tempDir() }, principal: { userEmail: 'ann@x.io' } });
    const ann = (await h.ok('create_user', { name: 'Ann', email: 'ann@x.io' })).users[0].id;
    const team = (await h.ok('create_team', { name: 'Payments', member_ids: [ann] })).teams[0].id;
    service = (await h.ok('create_service', { name: 'Checkout', team_ids: [team] })).services[0].id;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await h?.close();
  });

  it('asks before a delete, naming the tool and the id; yes deletes', async () => {
    const client = await connect(ANN);
    const id = await newTeam('Yes');
    asked = [];
    reply = 'yes';
    const r = await client.callTool({ name: 'delete_team', arguments: { team_id: id } });
    expect(r.isError).toBeFalsy();
    expect(asked).toEqual([`Delete team (team_id ${id})? This cannot be undone.`]);
    expect(await teamExists(id)).toBe(false);
  });

  it.each(['no', 'cancel', 'unticked'] as const)(
    'answered %s, deletes nothing and says so, in a result that is not an error',
    async (answered) => {
      const client = await connect(ANN);
      const id = await newTeam(`Answered ${answered}`);
      asked = [];
      reply = answered;
      const r = await client.callTool({ name: 'delete_team', arguments: { team_id: id } });
      expect(asked).toHaveLength(1);
      expect(r.isError).toBeFalsy();
      // A valid envelope for the tool's outputSchema, so SDK 1.x clients show it too.
      expect(r.structuredContent).toEqual(body(r));
      expect(body(r)).toMatchObject({
        metadata: { count: 0, confirmation: answered === 'cancel' ? 'cancelled' : 'declined' },
        teams: [],
      });
      expect(body(r).metadata.description).toMatch(
        /^Not done: .*"Delete team \(team_id \w+\)\??".*Nothing was changed/,
      );
      expect(await teamExists(id)).toBe(true);
    },
  );

  it('asks before paging: trigger_incident opens nothing on no and pages on yes; escalate_incident asks too', async () => {
    const client = await connect(ANN);
    const title = 'DB down';
    const question = `Trigger incident (service_id ${service}, title '${title}')? This pages the service's on-call responders now.`;
    const open = async () =>
      (await h.ok('get_incidents', { current_user_context: false, service_ids: [service] })).incidents.map(
        (i: { title: string }) => i.title,
      );
    asked = [];
    reply = 'no';
    const no = await client.callTool({ name: 'trigger_incident', arguments: { service_id: service, title } });
    expect(body(no).metadata.confirmation).toBe('declined');
    expect(await open()).not.toContain(title);
    reply = 'yes';
    const yes = await client.callTool({
      name: 'trigger_incident',
      arguments: { service_id: service, title },
    });
    expect(yes.isError).toBeFalsy();
    expect(await open()).toContain(title);
    expect(asked).toEqual([question, question]);

    const incident = body(yes).incidents[0].id;
    asked = [];
    reply = 'cancel';
    const esc = await client.callTool({
      name: 'escalate_incident',
      arguments: { incident_id: incident, escalation_level: 1 },
    });
    expect(body(esc).metadata.confirmation).toBe('cancelled');
    expect(asked).toEqual([
      `Escalate incident (incident_id ${incident}, escalation_level 1)? This pages the people at that level now.`,
    ]);
  });

  it('does not ask for reads, other writes, or a call its schema refuses', async () => {
    const client = await connect(ANN);
    asked = [];
    reply = 'no';
    expect((await client.callTool({ name: 'get_teams', arguments: {} })).isError).toBeFalsy();
    expect(
      (await client.callTool({ name: 'create_team', arguments: { name: 'Plain' } })).isError,
    ).toBeFalsy();
    const bad = await client.callTool({ name: 'delete_team', arguments: { team_id: 'not an id!' } });
    expect(bad.isError).toBe(true);
    expect(body(bad).error.code).toBe('VALIDATION_ERROR');
    expect(asked).toEqual([]);
  });

  it('a client without elicitation is not asked: the delete runs, as the mode allows', async () => {
    const client = await connect(ANN, false);
    const id = await newTeam('Unasked');
    const r = await client.callTool({ name: 'delete_team', arguments: { team_id: id } });
    expect(r.isError).toBeFalsy();
    expect(await teamExists(id)).toBe(false);
  });

  it('in read-only mode the write is refused first, without a question', async () => {
    const client = await connect({ ...ANN, mode: 'read_only' });
    asked = [];
    reply = 'yes';
    const r = await client.callTool({ name: 'delete_team', arguments: { team_id: 'T1' } });
    expect(r.isError).toBe(true);
    expect(body(r).error.code).toBe('READ_ONLY');
    expect(asked).toEqual([]);
  });
});

describe('which tools ask', () => {
  it('every delete_* tool, and the tools that page people; none that only reads', () => {
    const asking = ALL_TOOLS.filter((t) => consequence(t) !== undefined).map((t) => t.name);
    const deletes = ALL_TOOLS.filter((t) => t.name.startsWith('delete_')).map((t) => t.name);
    expect(deletes.length).toBeGreaterThan(10);
    expect(asking.sort()).toEqual([...deletes, 'escalate_incident', 'trigger_incident'].sort());
    for (const t of ALL_TOOLS.filter((x) => consequence(x))) expect(t.annotations.readOnlyHint).toBe(false);
  });

  it('says the action with the arguments that name its object, long strings cut and quoted', () => {
    expect(action('delete_schedule_override', { schedule_id: 'S1', override_id: 'O2' })).toBe(
      'Delete schedule override (schedule_id S1, override_id O2)',
    );
    expect(action('trigger_incident', { title: `a\n${'x'.repeat(200)}`, include: ['id'] })).toMatch(
      /^Trigger incident \(title 'a x{77}…'\)$/,
    );
  });
});
