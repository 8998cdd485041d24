import { describe, expect, it } from 'vitest';
import {
  INVALID_JSON_BODY,
  invalidEventBody,
  MAX_EVENT_BYTES,
  newDedupKey,
  normaliseSeverityToUrgency,
  parseAlertEvent,
  processedBody,
} from './events-v2.js';

const KEY = 'R0123456789abcdef0123456789abcde';
const minimal = {
  routing_key: KEY,
  event_action: 'trigger',
  payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'critical' },
};

/** The errors for a body, failing the test if it parsed. */
function errorsOf(body: unknown): string[] {
  const result = parseAlertEvent(body);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.event)}`);
  return result.errors;
}

function eventOf(body: unknown) {
  const result = parseAlertEvent(body);
  if (!result.ok) throw new Error(`expected an event, got ${JSON.stringify(result.errors)}`);
  return result.event;
}

describe('parseAlertEvent: valid events', () => {
  it('accepts a minimal trigger and fills empty links and images', () => {
    expect(KEY).toHaveLength(32);
    expect(eventOf(minimal)).toStrictEqual({ ...minimal, links: [], images: [] });
  });

  it('accepts a full trigger as Alertmanager and Grafana send it, ignoring unknown fields', () => {
    const body = {
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'abc123',
      payload: {
        summary: 'High latency',
        source: 'api.example.com',
        severity: 'warning',
        timestamp: '2024-05-01T12:34:56.789+02:00',
        component: 'api',
        group: 'prod',
        class: 'latency',
        custom_details: { firing: 3, labels: { job: 'api' } },
        unknown_payload_field: true,
      },
      client: 'Alertmanager',
      client_url: 'https://am.example.com',
      links: [{ href: 'https://grafana.example.com/d/1', text: 'Dashboard' }, { href: 'https://x.example' }],
      images: [{ src: 'https://img.example/a.png', href: 'https://img.example', alt: 'graph' }],
      description: 'v1 field, ignored',
    };
    const { description: _, ...expected } = body;
    const { unknown_payload_field: __, ...payload } = body.payload;
    expect(eventOf(body)).toStrictEqual({ ...expected, payload });
  });

  it.each(['acknowledge', 'resolve'])('accepts %s with a dedup_key and no payload', (action) => {
    expect(eventOf({ routing_key: KEY, event_action: action, dedup_key: 'abc123' })).toStrictEqual({
      routing_key: KEY,
      event_action: action,
      dedup_key: 'abc123',
      links: [],
      images: [],
    });
  });

  it('ignores the payload of a resolve, even an invalid one (Alertmanager always sends one)', () => {
    const event = eventOf({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'k',
      payload: { severity: 'x' },
    });
    expect(event.payload).toBeUndefined();
  });

  it('truncates a summary longer than 1024 characters instead of rejecting it', () => {
    const long = eventOf({ ...minimal, payload: { ...minimal.payload, summary: 'a'.repeat(5000) } });
    expect(long.payload?.summary).toBe('a'.repeat(1024));
    const exact = eventOf({ ...minimal, payload: { ...minimal.payload, summary: 'b'.repeat(1024) } });
    expect(exact.payload?.summary).toBe('b'.repeat(1024));
  });

  it('truncates by code points, never splitting a surrogate pair', () => {
    const summary = eventOf({ ...minimal, payload: { ...minimal.payload, summary: '🔥'.repeat(1100) } })
      .payload?.summary;
    expect([...(summary ?? '')]).toHaveLength(1024);
    expect(summary?.endsWith('🔥')).toBe(true);
  });

  it.each([
    ['an object', { a: 1 }],
    ['an array', [1, 'two']],
    ['a string', 'details'],
    ['a number', 42],
    ['a boolean', false],
    ['null', null],
  ])('keeps custom_details that is %s', (_, details) => {
    const event = eventOf({ ...minimal, payload: { ...minimal.payload, custom_details: details } });
    expect(event.payload).toHaveProperty('custom_details', details);
  });

  it('leaves out optional strings that are null or blank rather than rejecting them', () => {
    const event = eventOf({
      ...minimal,
      dedup_key: ' ',
      client: null,
      client_url: '',
      links: null,
      images: [],
    });
    expect(event).toStrictEqual({ ...minimal, links: [], images: [] });
  });

  it('keeps strings as sent, surrounding whitespace included', () => {
    const event = eventOf({ ...minimal, payload: { ...minimal.payload, summary: '  spaced  ' } });
    expect(event.payload?.summary).toBe('  spaced  ');
  });

  it.each(['2024-05-01T12:34:56Z', '2024-05-01T12:34:56.123456+0200', '2024-05-01T12:34'])(
    'accepts the timestamp %s',
    (timestamp) => {
      expect(eventOf({ ...minimal, payload: { ...minimal.payload, timestamp } }).payload?.timestamp).toBe(
        timestamp,
      );
    },
  );
});

describe('parseAlertEvent: each rule broken on its own', () => {
  const without = (key: string) => Object.fromEntries(Object.entries(minimal).filter(([k]) => k !== key));
  const withPayload = (patch: Record<string, unknown>) => ({
    ...minimal,
    payload: { ...minimal.payload, ...patch },
  });

  it.each<[string, unknown, string]>([
    ['routing_key missing', without('routing_key'), "'routing_key' is missing or blank"],
    ['routing_key blank', { ...minimal, routing_key: '   ' }, "'routing_key' is missing or blank"],
    [
      'routing_key short',
      { ...minimal, routing_key: 'abc' },
      "Length of 'routing_key' is incorrect (should be 32 characters)",
    ],
    [
      'routing_key long',
      { ...minimal, routing_key: `${KEY}x` },
      "Length of 'routing_key' is incorrect (should be 32 characters)",
    ],
    [
      'routing_key with symbols',
      { ...minimal, routing_key: `${KEY.slice(0, 31)}-` },
      "'routing_key' cannot contain non-alphanumeric characters.",
    ],
    ['routing_key a number', { ...minimal, routing_key: 7 }, "'routing_key' is invalid (must be a string)"],
    [
      'event_action missing',
      without('event_action'),
      "'event_action' is missing or blank (must be one of: trigger, acknowledge, resolve)",
    ],
    [
      'event_action unknown',
      { ...minimal, event_action: 'Trigger' },
      "'event_action' is invalid (must be one of: trigger, acknowledge, resolve)",
    ],
    [
      'dedup_key too long',
      { ...minimal, dedup_key: 'k'.repeat(256) },
      "'dedup_key' is invalid (must be at most 255 characters)",
    ],
    ['dedup_key a number', { ...minimal, dedup_key: 12 }, "'dedup_key' is invalid (must be a string)"],
    [
      'acknowledge without dedup_key',
      { routing_key: KEY, event_action: 'acknowledge' },
      "'dedup_key' is missing or blank (required for acknowledge and resolve)",
    ],
    [
      'resolve with a blank dedup_key',
      { routing_key: KEY, event_action: 'resolve', dedup_key: '' },
      "'dedup_key' is missing or blank (required for acknowledge and resolve)",
    ],
    ['trigger without payload', without('payload'), "'payload' is missing (required for trigger)"],
    ['payload not an object', { ...minimal, payload: 'x' }, "'payload' is invalid (must be a JSON object)"],
    ['payload an array', { ...minimal, payload: [] }, "'payload' is invalid (must be a JSON object)"],
    ['summary missing', withPayload({ summary: undefined }), "'payload.summary' is missing or blank"],
    ['summary whitespace', withPayload({ summary: ' \n\t' }), "'payload.summary' is missing or blank"],
    ['summary an object', withPayload({ summary: {} }), "'payload.summary' is invalid (must be a string)"],
    ['source missing', withPayload({ source: null }), "'payload.source' is missing or blank"],
    ['severity missing', withPayload({ severity: '' }), "'payload.severity' is missing or blank"],
    [
      'severity unknown',
      withPayload({ severity: 'high' }),
      "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
    ],
    [
      'timestamp not ISO 8601',
      withPayload({ timestamp: 'yesterday' }),
      "'payload.timestamp' is invalid (must be an ISO 8601 date-time)",
    ],
    [
      'timestamp impossible',
      withPayload({ timestamp: '2024-13-01T00:00:00Z' }),
      "'payload.timestamp' is invalid (must be an ISO 8601 date-time)",
    ],
    [
      'component a number',
      withPayload({ component: 1 }),
      "'payload.component' is invalid (must be a string)",
    ],
    ['group a boolean', withPayload({ group: true }), "'payload.group' is invalid (must be a string)"],
    ['class an array', withPayload({ class: ['a'] }), "'payload.class' is invalid (must be a string)"],
    ['client a number', { ...minimal, client: 1 }, "'client' is invalid (must be a string)"],
    ['client_url an object', { ...minimal, client_url: {} }, "'client_url' is invalid (must be a string)"],
    ['links not an array', { ...minimal, links: { href: 'x' } }, "'links' is invalid (must be an array)"],
    ['a link not an object', { ...minimal, links: ['x'] }, "'links[0]' is invalid (must be a JSON object)"],
    [
      'a link without href',
      { ...minimal, links: [{ href: 'a' }, { text: 't' }] },
      "'links[1].href' is missing or blank",
    ],
    [
      'a link text a number',
      { ...minimal, links: [{ href: 'a', text: 1 }] },
      "'links[0].text' is invalid (must be a string)",
    ],
    ['images not an array', { ...minimal, images: 'x' }, "'images' is invalid (must be an array)"],
    ['an image without src', { ...minimal, images: [{ alt: 'a' }] }, "'images[0].src' is missing or blank"],
    [
      'an image href a number',
      { ...minimal, images: [{ src: 's', href: 1 }] },
      "'images[0].href' is invalid (must be a string)",
    ],
    [
      'an image alt a boolean',
      { ...minimal, images: [{ src: 's', alt: true }] },
      "'images[0].alt' is invalid (must be a string)",
    ],
  ])('%s', (_, body, error) => {
    expect(errorsOf(body)).toStrictEqual([error]);
  });
});

describe('parseAlertEvent: several problems', () => {
  it('reports every problem, not just the first', () => {
    const errors = errorsOf({
      routing_key: 'short',
      event_action: 'trigger',
      dedup_key: 'k'.repeat(300),
      payload: { summary: '', severity: 'fatal', timestamp: 'now' },
      links: [{}],
      images: [{ src: 1 }],
    });
    expect(errors).toStrictEqual([
      "Length of 'routing_key' is incorrect (should be 32 characters)",
      "'dedup_key' is invalid (must be at most 255 characters)",
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
      "'payload.timestamp' is invalid (must be an ISO 8601 date-time)",
      "'links[0].href' is missing or blank",
      "'images[0].src' is invalid (must be a string)",
    ]);
  });

  it('reports an unknown action and checks no action-specific rule it cannot know', () => {
    expect(errorsOf({ event_action: 'escalate' })).toStrictEqual([
      "'routing_key' is missing or blank",
      "'event_action' is invalid (must be one of: trigger, acknowledge, resolve)",
    ]);
  });

  it('reports an empty object with the rules of every field it needs', () => {
    expect(errorsOf({})).toStrictEqual([
      "'routing_key' is missing or blank",
      "'event_action' is missing or blank (must be one of: trigger, acknowledge, resolve)",
    ]);
  });
});

describe('parseAlertEvent: bodies that are not objects', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an array', [minimal]],
    ['a string', 'trigger'],
    ['a number', 42],
    ['a boolean', true],
  ])('rejects %s with one error', (_, body) => {
    expect(errorsOf(body)).toStrictEqual(['Event object is not a JSON object']);
  });
});

describe('response bodies', () => {
  it("builds PagerDuty's 202 body", () => {
    expect(processedBody('abc')).toStrictEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'abc',
    });
  });

  it("builds PagerDuty's 400 body from the errors", () => {
    expect(invalidEventBody(["'payload.summary' is missing or blank"])).toStrictEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ["'payload.summary' is missing or blank"],
    });
  });

  it('has a fixed, frozen body for a request that is not JSON', () => {
    expect(JSON.stringify(INVALID_JSON_BODY)).toBe(
      '{"status":"invalid event","message":"Event object is invalid","errors":["Request body is not valid JSON"]}',
    );
    expect(Object.isFrozen(INVALID_JSON_BODY) && Object.isFrozen(INVALID_JSON_BODY.errors)).toBe(true);
  });

  it('generates dedup keys of 32 hex characters', () => {
    expect(newDedupKey()).toMatch(/^[0-9a-f]{32}$/);
    expect(newDedupKey()).not.toBe(newDedupKey());
  });

  it('limits bodies to 512 KB', () => {
    expect(MAX_EVENT_BYTES).toBe(524_288);
  });
});

describe('normaliseSeverityToUrgency', () => {
  it.each([
    ['critical', 'high'],
    ['error', 'high'],
    ['warning', 'low'],
    ['info', 'low'],
  ] as const)('maps %s to %s', (severity, urgency) => {
    expect(normaliseSeverityToUrgency(severity)).toBe(urgency);
  });
});
