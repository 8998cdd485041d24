/**
 * Every probe against real targets on loopback: an HTTP server (JSON, redirects, a slow and a
 * hanging route, a flip to 500), a TCP port that closes, a TLS server whose certificate (made
 * here) expires in 3 days, a DNS server answering A, AAAA and TXT, a multistep login flow — and
 * the address policy refusing metadata and, when asked, private targets.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import dnsPacket from 'dns-packet';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TYPES } from '../../../../core/check-kinds/index.js';
import type { CheckTarget } from '../../../../core/checks.js';
import { probeFor, runProbe } from './index.js';

const run = (t: Partial<CheckTarget> & Pick<CheckTarget, 'type'>, blockPrivate = false) =>
  runProbe({ timeout: 5, parameters: {}, ...t }, { blockPrivate });

let http: Server;
let base = '';
let failing = false;

beforeAll(async () => {
  http = createServer((req, res) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.url === '/health')
      return failing ? json(500, { ok: false }) : json(200, { ok: true, version: '1.2' });
    if (req.url === '/old') return res.writeHead(302, { location: '/health' }).end();
    if (req.url === '/slow') return setTimeout(() => json(200, { ok: true }), 300);
    if (req.url === '/hang') return; // never answers
    if (req.url === '/login' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const { user, password } = JSON.parse(body);
        if (user === 'ann' && password === 's3cret')
          json(200, { token: 'tok-123' }, { 'x-session': 'sess-9' });
        else json(401, { error: 'bad login' });
      });
      return;
    }
    if (req.url === '/me') {
      const authorized =
        req.headers.authorization === 'Bearer tok-123' && req.headers['x-session'] === 'sess-9';
      return authorized ? json(200, { name: 'Ann' }) : json(401, { error: 'no token' });
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(() => {
  http.closeAllConnections();
  http.close();
});

describe('probes', () => {
  it.each(CHECK_TYPES)('%s has a probe module beside runProbe', async (type) => {
    expect(typeof (await probeFor(type))).toBe('function');
  });

  it('api runs the module of web, the kind it shares', async () => {
    expect(await probeFor('api')).toBe(await probeFor('web'));
    expect(await probeFor('tcp')).not.toBe(await probeFor('web'));
  });
});

describe('web and api checks', () => {
  it('passes with a timing breakdown and assertions on status, body and JSON', async () => {
    const r = await run({
      type: 'api',
      url: `${base}/health`,
      parameters: {
        search_text: '"ok":true',
        assertions: {
          status_codes: [200],
          body_regex: 'version":"\\d+\\.\\d+',
          json_path: [
            { path: '$.version', equals: '1.2' },
            { path: '$.missing', exists: false },
          ],
        },
      },
    });
    expect(r).toMatchObject({ status: 'ok', error_message: null });
    const m = r.check_metadata as any;
    expect(m.status_code).toBe(200);
    expect(m.ip).toBe('127.0.0.1');
    expect(Object.keys(m.timings)).toEqual(['dns', 'connect', 'tls', 'first_byte', 'download', 'total']);
    expect(m.timings.total).toBeGreaterThanOrEqual(m.timings.first_byte);
    expect(m.assertions.every((a: { passed: boolean }) => a.passed)).toBe(true);
  });

  it('fails when the server flips to 500, naming the assertion, and passes when it is back', async () => {
    failing = true;
    const down = await run({ type: 'web', url: `${base}/health` });
    expect([down.status, down.error_message]).toEqual(['failed', 'Status 500, expected 2xx or 3xx']);
    const json = await run({
      type: 'api',
      url: `${base}/health`,
      parameters: { assertions: { status_codes: [500], json_path: [{ path: '$.ok', equals: true }] } },
    });
    expect(json.error_message).toBe('JSONPath {"path":"$.ok","equals":true} did not hold (found false)');
    failing = false;
    expect((await run({ type: 'web', url: `${base}/health` })).status).toBe('ok');
  });

  it('follows redirects, is degraded when slow, and times out on a server that never answers', async () => {
    const moved = await run({ type: 'web', url: `${base}/old` });
    expect((moved.check_metadata as any).redirects).toEqual([`${base}/health`]);
    const notFollowed = await run({
      type: 'web',
      url: `${base}/old`,
      parameters: { follow_redirects: false },
    });
    expect((notFollowed.check_metadata as any).status_code).toBe(302);
    const slow = await run({
      type: 'web',
      url: `${base}/slow`,
      parameters: { assertions: { max_response_time_ms: 100 } },
    });
    expect(slow.status).toBe('degraded');
    expect(slow.error_message).toMatch(/^Response took \d+(\.\d+)? ms, over the 100 ms limit$/);
    const hung = await run({ type: 'web', url: `${base}/hang`, timeout: 1 });
    expect([hung.status, hung.error_message]).toEqual(['timeout', 'Timed out after 1 s']);
  });

  it('sends no credentials to another origin a redirect leads to, and keeps secret URLs out of results', async () => {
    const other = createServer((req, res) => {
      res.writeHead(200).end(req.headers.authorization ? 'got credentials' : 'none');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}/landing`;
    const bouncer = createServer((_req, res) => res.writeHead(302, { location: elsewhere }).end());
    await new Promise<void>((resolve) => bouncer.listen(0, '127.0.0.1', resolve));
    const start = `http://127.0.0.1:${(bouncer.address() as AddressInfo).port}/start?key={{KEY}}`;
    try {
      const r = await run({
        type: 'api',
        url: start,
        variables: { KEY: 'very-secret' },
        parameters: {
          http_request: { headers: { authorization: 'Bearer {{KEY}}' } },
          assertions: { body_contains: 'none' },
        },
      });
      expect(r.status).toBe('ok');
      expect(JSON.stringify(r)).not.toContain('very-secret');
    } finally {
      other.close();
      bouncer.close();
    }
  });

  it('logs in and reads with the token in a multistep flow, secrets as variables', async () => {
    const flow = {
      type: 'multistep' as const,
      variables: { PASSWORD: 's3cret' },
      parameters: {
        steps: [
          {
            name: 'login',
            request: {
              method: 'POST',
              url: `${base}/login`,
              headers: { 'content-type': 'application/json' },
              body: '{"user":"ann","password":"{{PASSWORD}}"}',
            },
            extract: { token: '$.token', session: { header: 'x-session' } },
            assertions: { status_codes: [200] },
          },
          {
            name: 'me',
            request: {
              method: 'GET',
              url: `${base}/me`,
              headers: { authorization: 'Bearer {{token}}', 'x-session': '{{session}}' },
            },
            assertions: { json_path: [{ path: '$.name', equals: 'Ann' }] },
          },
        ],
      },
    };
    const r = await run(flow);
    expect(r.status).toBe('ok');
    expect((r.check_metadata as any).steps.map((s: any) => [s.name, s.status_code, s.extracted])).toEqual([
      ['login', 200, ['token', 'session']],
      ['me', 200, []],
    ]);
    expect(JSON.stringify(r)).not.toContain('tok-123');
    const wrong = await run({ ...flow, variables: { PASSWORD: 'nope' } });
    expect([wrong.status, wrong.error_message]).toEqual(['failed', "Step 'login': Status 401, expected 200"]);
  });
});

describe('tcp checks', () => {
  it('connects to an open port and reports a closed one as refused', async () => {
    const server = createTcpServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const open = await run({ type: 'tcp', host: '127.0.0.1', port });
    expect(open.status).toBe('ok');
    await new Promise((resolve) => server.close(resolve));
    const closed = await run({ type: 'tcp', host: '127.0.0.1', port });
    expect([closed.status, closed.error_message]).toEqual([
      'failed',
      `Connection refused (127.0.0.1:${port})`,
    ]);
  });
});

describe('ssl checks', () => {
  let tls: TlsServer;
  let port = 0;
  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 3 * 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    } as never);
    tls = createTlsServer({ key: pems.private, cert: pems.cert }, (s) => s.end());
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    port = (tls.address() as AddressInfo).port;
  });
  afterAll(() => tls?.close());

  it('is degraded by a certificate that expires in 3 days, and failed for the wrong host name', async () => {
    const soon = await run({ type: 'ssl', host: 'localhost', port, parameters: { verify_chain: false } });
    expect(soon.status).toBe('degraded');
    expect(soon.error_message).toBe('The certificate expires in 2 day(s), within 14');
    expect(soon.check_metadata).toMatchObject({
      days_remaining: 2,
      hostname_valid: true,
      chain_valid: false,
    });
    const strict = await run({ type: 'ssl', host: 'localhost', port });
    expect(strict.status).toBe('failed');
    expect(strict.error_message).toMatch(/^The certificate chain is not trusted: /);
    const wrongName = await run({
      type: 'ssl',
      host: '127.0.0.1',
      port,
      parameters: { verify_chain: false },
    });
    expect(wrongName.error_message).toMatch(/^The certificate is not valid for 127\.0\.0\.1/);
  });
});

describe('dns checks', () => {
  let udp: Socket;
  let server = '';
  beforeAll(async () => {
    udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const question = q.questions?.[0];
      const answers: dnsPacket.Answer[] = [];
      if (question?.name === 'app.test') {
        if (question.type === 'A') answers.push({ type: 'A', name: 'app.test', data: '10.1.2.3', ttl: 60 });
        if (question.type === 'AAAA')
          answers.push({ type: 'AAAA', name: 'app.test', data: 'fd00::7', ttl: 60 });
        if (question.type === 'TXT')
          answers.push({ type: 'TXT', name: 'app.test', data: ['v=spf1 -all'], ttl: 60 });
      }
      const reply = dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: q.questions,
        answers,
      });
      udp.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    server = `127.0.0.1:${udp.address().port}`;
  });
  afterAll(() => udp?.close());

  it('answers A, AAAA and TXT from a resolver on loopback and compares the expected answers', async () => {
    const dns = (record_type: string, extra: Record<string, unknown> = {}) =>
      run({ type: 'dns', host: 'app.test', parameters: { record_type, dns_servers: [server], ...extra } });
    const a = await dns('A', { expected_answers: ['10.1.2.3'] });
    expect([a.status, (a.check_metadata as any).answers]).toEqual(['ok', ['10.1.2.3']]);
    expect((await dns('AAAA')).check_metadata).toMatchObject({ answers: ['fd00::7'] });
    expect((await dns('TXT', { expected_answers: ['v=spf1 -all'], validation_mode: 'exact' })).status).toBe(
      'ok',
    );
    const wrong = await dns('A', { expected_answers: ['10.9.9.9'] });
    expect([wrong.status, wrong.error_message]).toEqual(['failed', 'Missing A answer(s): 10.9.9.9']);
  });
});

describe('the address policy', () => {
  it('never checks cloud metadata addresses, and refuses private ones when asked, also behind a name', async () => {
    const metadata = await run({ type: 'web', url: 'http://169.254.169.254/latest/meta-data/' });
    expect(metadata.error_message).toBe(
      '169.254.169.254 is a cloud metadata address; Vigil never connects there.',
    );
    const v6 = await run({ type: 'tcp', host: 'fd00:ec2::254', port: 80 });
    expect(v6.error_message).toContain('cloud metadata address');
    for (const url of [
      'http://169.254.170.23/',
      'http://168.63.129.16/machine',
      'http://[::ffff:0:a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
    ]) {
      expect((await run({ type: 'web', url })).error_message, url).toContain('cloud metadata address');
    }
    const v6dns = await run({
      type: 'dns',
      host: 'app.test',
      parameters: { dns_servers: ['[fd00:ec2::254]:53'] },
    });
    expect(v6dns.error_message).toContain('cloud metadata address');
    const literal = await run({ type: 'web', url: `${base}/health` }, true);
    expect(literal.error_message).toContain('127.0.0.1 is a private, loopback or link-local address');
    const named = await run({ type: 'tcp', host: 'localhost', port: 9 }, true);
    expect(named.error_message).toMatch(/^localhost resolves to .* private, loopback or link-local address/);
    const dns = await run(
      { type: 'dns', host: 'app.test', parameters: { dns_servers: ['169.254.169.254'] } },
      false,
    );
    expect(dns.error_message).toContain('cloud metadata address');
  });
});

describe('icmp checks', () => {
  it('pings loopback, or says clearly why it cannot', async () => {
    const r = await run({ type: 'icmp', host: '127.0.0.1', parameters: { probe_count: 1 } });
    if (r.status === 'ok') expect(r.check_metadata).toMatchObject({ packets_received: 1, packet_loss: 0 });
    else expect(r.error_message).toMatch(/iputils-ping|not permitted|permission/i);
  });
});
