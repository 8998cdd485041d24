/**
 * MCP prompts for the common incident workflows: triage what is broken now, draft a status-page
 * update, write a postmortem, hand over on-call. A prompt is a list of steps, each naming the
 * tools it uses; a step whose tools this client does not see (another provider, read-only mode,
 * a narrowed list) is left out, so a prompt never sends the model to a tool it cannot call, and
 * a prompt none of whose `needs` tools are visible is not listed.
 */
import { ProtocolError, ProtocolErrorCode, type Server } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { suggest } from '../core/include.js';
import * as p from '../tools/params.js';

type Args = Readonly<Record<string, string | undefined>>;

interface Step {
  /** Tools the step calls; it is left out unless the client sees every one. */
  tools: readonly string[];
  /** The step's text, or undefined to leave it out for these arguments. */
  text: (a: Args) => string | undefined;
}

interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
  schema: z.ZodType<string>;
}

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  arguments: readonly PromptArgument[];
  /** Listed only when the client sees at least one of these tools. */
  needs: readonly string[];
  intro: (a: Args) => string;
  steps: readonly Step[];
  outro: string;
}

const time = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time, e.g. 2026-01-31T08:00:00Z');

const OPEN = "statuses ['triggered', 'acknowledged']";

export const PROMPTS: readonly PromptDefinition[] = [
  {
    name: 'triage',
    title: 'Triage: what is broken now',
    description: 'Find what is broken right now, whether anyone is on it, and what to do first.',
    arguments: [],
    needs: ['get_status_overview', 'get_incidents', 'list_checks', 'list_heartbeats', 'list_alerts'],
    intro: () =>
      'Find out what is broken right now and who is handling it, then give me a short triage report.',
    steps: [
      {
        tools: ['get_status_overview'],
        text: () =>
          'Call get_status_overview with current_user_context=false: open responder incidents per service, their urgency and who is on call.',
      },
      {
        tools: ['get_incidents'],
        text: () =>
          `Call get_incidents with ${OPEN} (your teams' services by default; for others pass service_ids or team_ids with current_user_context=false): each open incident's title, urgency, service and assignees.`,
      },
      {
        tools: ['list_checks'],
        text: () =>
          "Call list_checks with status 'failed', then 'degraded', then 'timeout': uptime checks failing now.",
      },
      {
        tools: ['get_check_status_history'],
        text: () =>
          'For each failing check, call get_check_status_history with its check_id: since when, and why.',
      },
      {
        tools: ['list_heartbeats'],
        text: () => "Call list_heartbeats with status 'down', then 'late': cron jobs that stopped reporting.",
      },
      {
        tools: ['list_alerts'],
        text: () => "Call list_alerts with status 'firing': alerts nobody has acknowledged.",
      },
    ],
    outro:
      'Report, most severe first: what is broken (service, check or job; since when; the evidence), whether an incident is open for it and who has it, and what is broken with no incident open. Group what looks like one cause. If nothing is broken, say so plainly. Change nothing: suggest the next actions instead.',
  },
  {
    name: 'draft_status_update',
    title: 'Draft a status-page update',
    description:
      'Draft a public status-page update for a responder incident, for you to approve before it is posted.',
    arguments: [
      {
        name: 'incident_id',
        description: 'The responder incident (id or number, from get_incidents).',
        required: true,
        schema: p.id('incident_id'),
      },
      {
        name: 'page_id',
        description: 'The status page to post on (default: the one list_pages shows for the service).',
        required: false,
        schema: p.id('page_id'),
      },
    ],
    needs: ['get_incidents'],
    intro: (a) => `Draft a public status-page update for responder incident ${a.incident_id}.`,
    steps: [
      {
        tools: ['get_incidents'],
        text: (a) =>
          `Call get_incidents with incident_id '${a.incident_id}' and include_notes=true: its title, status, urgency, service and the responders' notes.`,
      },
      {
        tools: ['get_incident_timeline'],
        text: (a) =>
          `Call get_incident_timeline with incident_id '${a.incident_id}': what has happened so far.`,
      },
      {
        tools: ['list_pages', 'list_components'],
        text: (a) =>
          a.page_id
            ? undefined
            : "Call list_pages, then list_components on the page that covers the incident's service: the components it affects.",
      },
      {
        tools: ['list_components'],
        text: (a) =>
          a.page_id
            ? `Call list_components with page_id '${a.page_id}': the components the incident affects.`
            : undefined,
      },
      {
        tools: ['list_incidents', 'get_incident_updates'],
        text: (a) =>
          `Call list_incidents with ${a.page_id ? `page_id '${a.page_id}'` : 'that page_id'} to see whether a public incident is already posted for this; if one is, call get_incident_updates for it, so the new update moves the story on.`,
      },
    ],
    outro:
      'Write the update for customers: what they notice (no internal causes, host names or people), the affected components, the status (investigating, identified, monitoring or resolved) and when the next update will come. Calm and plain, at most 80 words. Show me the draft and post nothing until I approve it.',
  },
  {
    name: 'write_postmortem',
    title: 'Write a postmortem',
    description: "Write a blameless postmortem from a responder incident's timeline and notes.",
    arguments: [
      {
        name: 'incident_id',
        description: 'The responder incident (id or number, from get_incidents).',
        required: true,
        schema: p.id('incident_id'),
      },
    ],
    needs: ['get_incidents', 'get_incident_timeline'],
    intro: (a) => `Write a blameless postmortem for responder incident ${a.incident_id}.`,
    steps: [
      {
        tools: ['get_incidents'],
        text: (a) =>
          `Call get_incidents with incident_id '${a.incident_id}', include_notes=true, include_past_incidents=true and include_related_incidents=true: what it was, its service, the notes, earlier incidents on the service and incidents open at the same time.`,
      },
      {
        tools: ['get_incident_timeline'],
        text: (a) =>
          `Call get_incident_timeline with incident_id '${a.incident_id}', passing each next_cursor back as cursor until you have every entry: triggers, alerts, escalations, notifications, acknowledgements, notes, resolution.`,
      },
      {
        tools: ['list_checks', 'get_check_status_history'],
        text: () =>
          'If a check detected it, find it with list_checks and call get_check_status_history with its check_id: when it started failing and when it recovered.',
      },
    ],
    outro:
      'Write it in Markdown with these sections: Summary; Impact (who was affected, how, for how long); Timeline (UTC, from the timeline: start, detection, acknowledgement, escalations, mitigation, resolution); Root cause and contributing factors; Detection and response (time to acknowledge, time to resolve, what helped, what slowed us); What went well; What went badly; Action items (each with an owner role and a priority). Use only facts from the data and mark what it does not tell as "unknown: to confirm". Blameless: describe systems and decisions, not people.',
  },
  {
    name: 'handover_oncall',
    title: 'Hand over on-call',
    description: 'Summarise a shift for the next on-call person: what is open, what happened, what to watch.',
    arguments: [
      {
        name: 'schedule_id',
        description: 'The schedule being handed over (default: the current user’s escalation policies).',
        required: false,
        schema: p.id('schedule_id'),
      },
      {
        name: 'user_id',
        description: 'The person handing over (default: the current user).',
        required: false,
        schema: p.id('user_id'),
      },
      {
        name: 'since',
        description: 'When the shift began, ISO 8601 (default: 24 hours ago).',
        required: false,
        schema: time,
      },
    ],
    needs: ['get_oncalls', 'get_incidents'],
    intro: (a) =>
      `Prepare an on-call handover${a.schedule_id ? ` for schedule ${a.schedule_id}` : ''}${a.user_id ? ` from user ${a.user_id}` : ''}, covering the shift since ${a.since ?? '24 hours ago'}.`,
    steps: [
      {
        tools: ['get_oncalls'],
        text: (a) => {
          const filters = [
            a.schedule_id && `schedule_ids ['${a.schedule_id}']`,
            a.user_id && `user_ids ['${a.user_id}']`,
          ].filter((f) => typeof f === 'string');
          const params = filters.length ? [...filters, 'current_user_context=false'] : [];
          return `Call get_oncalls with ${[...params, 'until 24 hours from now'].join(', ')}: who is on call now and who comes on next, per escalation policy and level.`;
        },
      },
      {
        tools: ['list_users_oncall'],
        text: (a) =>
          a.schedule_id
            ? `Call list_users_oncall with schedule_id '${a.schedule_id}' and until 24 hours from now: the next people on the schedule, in order.`
            : undefined,
      },
      {
        tools: ['get_incidents'],
        text: (a) =>
          `Call get_incidents with ${OPEN} for what is still open, then with since ${a.since ? `'${a.since}'` : '24 hours ago'} for everything that happened during the shift.`,
      },
      {
        tools: ['get_incident_timeline'],
        text: () =>
          'For each incident still open, call get_incident_timeline: what was tried and who has it.',
      },
      {
        tools: ['list_checks'],
        text: () => "Call list_checks with status 'failed', then 'degraded': checks failing now.",
      },
      {
        tools: ['list_alerts'],
        text: () => "Call list_alerts with status 'firing': alerts still firing.",
      },
      {
        tools: ['add_incident_note'],
        text: () =>
          'Once I agree with the handover, add its part about each open incident to that incident with add_incident_note.',
      },
    ],
    outro:
      'Write the handover, most urgent first: still open (status, urgency, what was tried, the next step and who has it); resolved during the shift (one line each); what to watch (flapping checks, firing alerts, promised follow-ups); who is on call next and from when. Short and scannable.',
  },
];

function invalid(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}

/** The prompt's steps the client can follow, numbered; empty when it cannot follow any. */
function stepsFor(prompt: PromptDefinition, a: Args, visible: ReadonlySet<string>): string[] {
  return prompt.steps
    .filter((s) => s.tools.every((t) => visible.has(t)))
    .map((s) => s.text(a))
    .filter((t): t is string => t !== undefined);
}

function listed(prompt: PromptDefinition, visible: ReadonlySet<string>): boolean {
  return prompt.needs.some((t) => visible.has(t));
}

/** Checks the arguments as the prompt declares them: required ones present, none unknown, each valid. */
function parseArgs(prompt: PromptDefinition, given: Record<string, string> | undefined): Args {
  const names = prompt.arguments.map((a) => a.name);
  const unknown = Object.keys(given ?? {}).filter((k) => !names.includes(k));
  if (unknown.length) {
    throw invalid(
      `Unknown argument ${unknown.map((k) => `'${k}'`).join(', ')} for prompt '${prompt.name}'. Arguments: ${names.join(', ') || '(none)'}.`,
    );
  }
  const out: Record<string, string | undefined> = {};
  for (const arg of prompt.arguments) {
    const raw = given?.[arg.name]?.trim();
    if (!raw) {
      if (arg.required)
        throw invalid(`Prompt '${prompt.name}' needs the argument '${arg.name}': ${arg.description}`);
      continue;
    }
    const parsed = arg.schema.safeParse(raw);
    if (!parsed.success)
      throw invalid(`Invalid argument '${arg.name}': ${parsed.error.issues[0]?.message ?? 'invalid value'}.`);
    out[arg.name] = parsed.data;
  }
  return out;
}

/** The prompt's text for these arguments, with the steps this client can follow. */
export function renderPrompt(prompt: PromptDefinition, a: Args, visible: ReadonlySet<string>): string {
  const steps = stepsFor(prompt, a, visible);
  return [prompt.intro(a), '', ...steps.map((s, i) => `${i + 1}. ${s}`), '', prompt.outro].join('\n');
}

/** prompts/list and prompts/get, for the tools `visible()` says this client sees. */
export function registerPrompts(server: Server, visible: () => ReadonlySet<string>): void {
  server.setRequestHandler('prompts/list', async () => {
    const tools = visible();
    return {
      prompts: PROMPTS.filter((pr) => listed(pr, tools)).map((pr) => ({
        name: pr.name,
        title: pr.title,
        description: pr.description,
        arguments: pr.arguments.map(({ name, description, required }) => ({ name, description, required })),
      })),
    };
  });
  server.setRequestHandler('prompts/get', async (req) => {
    const tools = visible();
    const available = PROMPTS.filter((pr) => listed(pr, tools));
    const prompt = available.find((pr) => pr.name === req.params.name);
    if (!prompt) {
      const names = available.map((pr) => pr.name);
      const hidden = PROMPTS.find((pr) => pr.name === req.params.name);
      if (hidden)
        throw invalid(
          `Prompt '${hidden.name}' needs ${hidden.needs.join(' or ')}, which this client does not see (the providers in use, the mode, toolsets and tool lists decide). Prompts: ${names.join(', ') || '(none)'}.`,
        );
      const near = suggest(req.params.name, names);
      throw invalid(
        `Unknown prompt '${req.params.name}'.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''} Prompts: ${names.join(', ') || '(none)'}.`,
      );
    }
    const a = parseArgs(prompt, req.params.arguments);
    return {
      description: prompt.description,
      messages: [
        { role: 'user' as const, content: { type: 'text' as const, text: renderPrompt(prompt, a, tools) } },
      ],
    };
  });
}
