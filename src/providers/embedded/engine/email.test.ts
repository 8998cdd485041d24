/**
 * Email notifications delivered to a real SMTP server on loopback, with the incident's title,
 * link and how to acknowledge.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers/vigil.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

const mails: { from: string; to: string[]; data: string }[] = [];
let smtp: SMTPServer;
let p: EmbeddedProvider;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => {
        data += c.toString();
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  p = await createEmbeddedProvider({
    dataDir: tempDir(),
    log: silentLogger(),
    smtp: { url: `smtp://127.0.0.1:${port}`, from: 'Vigil <pager@example.com>' },
  });
});
afterAll(async () => {
  await p?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

it('emails the paged user with the title, the link and how to acknowledge', async () => {
  const { directory, escalation } = p.ports;
  const ann = await directory.createUser({
    name: 'Ann',
    email: 'ann@example.com',
    contact_methods: [{ type: 'email', address: 'ann@example.com' }],
  });
  const policy = await escalation.createPolicy({
    name: 'Mail',
    escalation_rules: [{ escalation_delay_in_minutes: 5, targets: [{ id: ann.id, type: 'user_reference' }] }],
  });
  const service = await directory.createService({ name: 'Mailer', escalation_policy_id: policy.id });
  await p.ingest({
    routing_key: service.integration_key as string,
    event_action: 'trigger',
    client_url: 'https://grafana.example.com/d/mailer',
    payload: { summary: 'Queue backed up', source: 'mq-1', severity: 'critical' },
    links: [],
    images: [],
  });
  await p.engine.tick();
  expect(mails).toHaveLength(1);
  const [mail] = mails;
  expect(mail?.from).toBe('pager@example.com');
  expect(mail?.to).toEqual(['ann@example.com']);
  expect(mail?.data).toMatch(/^Subject: \[Vigil\] #\d+ Queue backed up/m);
  expect(mail?.data).toContain('Link: https://grafana.example.com/d/mailer');
  expect(mail?.data).toMatch(/acknowledge_incident \{"incident_id": "P[A-Z0-9]+"\}/);
  // Ann's one-tap link, whole once quoted-printable's soft line breaks are undone.
  expect(mail?.data.replace(/=\r?\n/g, '')).toMatch(
    /one tap\):\r?\n {2}http:\/\/127\.0\.0\.1:5000\/r\/[\w-]+\.[\w-]+\r?\n/,
  );
  const delivered = await p.db.selectFrom('deliveries').select(['kind', 'status']).execute();
  expect(delivered).toEqual([{ kind: 'email', status: 'delivered' }]);
});
