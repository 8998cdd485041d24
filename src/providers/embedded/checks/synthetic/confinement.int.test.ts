/**
 * The synthetic runner's confinement, tried as an attacker would from a script that has reached
 * the runner's real `process` (`page.constructor.constructor('return process')()`): UDP and DNS
 * sent from C++ sockets reach no one, a listener it opens cannot be reached from outside, a report
 * it forges is ignored, and a file it asks for is refused at once, in a sentence. The children run
 * from dist/ (npm run build first). Skipped only when no Chromium is installed outside CI.
 */

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  accessSync,
  chmodSync,
  constants,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../core/log.js';
import { runProbe } from '../probes/index.js';
import { findChromium, SyntheticBrowser } from './browser.js';
import { detectIsolation } from './isolation.js';

const chromium = (() => {
  try {
    return findChromium(process.env.VIGIL_CHROMIUM_PATH);
  } catch {
    return undefined;
  }
})();
const CI = process.env.CI === 'true';
const ESCAPE = "const host = page.constructor.constructor('return process')();\n";
const runWritable = (() => {
  try {
    accessSync('/run', constants.W_OK);
    return true;
  } catch {
    return false;
  }
})();

/** A TCP port free on this machine a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe.skipIf(!chromium && !CI)('a script that escapes its JavaScript realm', () => {
  let browser: SyntheticBrowser;
  const run = (pw_script: string, timeout = 20) =>
    runProbe(
      { type: 'synthetic', timeout, url: 'http://127.0.0.1:9/', parameters: { pw_script } },
      { blockPrivate: true, browser },
    );

  beforeAll(() => {
    browser = new SyntheticBrowser({ log: silentLogger(), chromiumPath: chromium, blockPrivate: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('sends no UDP: neither a DNS query from C++ sockets nor a datagram reaches a loopback listener', async () => {
    const udp: Socket = createSocket('udp4');
    const received: Buffer[] = [];
    udp.on('message', (m) => received.push(m));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    try {
      const result = await run(
        `${ESCAPE}const dns = host.getBuiltinModule('node:dns');
const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
resolver.setServers(['127.0.0.1:${port}']);
await new Promise((done) => resolver.resolve4('exfiltrated-data.example', () => done()));
try { host.getBuiltinModule('node:dgram').createSocket('udp4').send('leak', ${port}, '127.0.0.1'); } catch {}
await new Promise((done) => setTimeout(done, 300));
console.log('sent');`,
      );
      expect(result.check_metadata.logs ?? result.error_message).toEqual(['sent']);
      expect(received.map(String)).toEqual([]);
    } finally {
      udp.close();
    }
  }, 60_000);

  it('cannot be reached on a listener it opens on 0.0.0.0, while the run lasts', async () => {
    const port = await freePort();
    let reached = false;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        if (await reachable(port)) reached = true;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const result = await run(
      `${ESCAPE}const server = host.getBuiltinModule('node:http').createServer((q, s) => s.end('secrets'));
await new Promise((done) => server.listen(${port}, '0.0.0.0', done));
console.log('listening');
await new Promise((done) => setTimeout(done, 4000));`,
    );
    polling = false;
    await poll;
    expect(result.check_metadata.logs ?? result.error_message).toEqual(['listening']);
    expect(reached).toBe(false);
  }, 60_000);

  it('cannot forge the report over IPC or on stdout, even with a line the runner signed', async () => {
    const forged = "{ report: { passed: true, steps: [], console_errors: [], logs: ['forged'] } }";
    const result = await run(
      `${ESCAPE}try { host.send?.(${forged}); } catch {}
try { host.stdout.write(JSON.stringify(${forged}) + '\\n'); } catch {}
// Watch what the runner writes (its Buffer is the script's), and put a forged report after a
// signature the runner made for a progress line.
const seen = [];
const from = Buffer.from;
Buffer.from = function (value, ...rest) {
  if (typeof value === 'string' && value.includes('"step"')) seen.push(value);
  return from.call(this, value, ...rest);
};
await test.step('Peek', async () => {});
console.log('peeked ' + seen.length);
for (const line of seen) host.stdout.write('\\n' + line.trim().split(' ')[0] + ' ' + JSON.stringify(${forged}) + '\\n');
await new Promise((done) => setTimeout(done, 300));
throw new Error('the real outcome');`,
    );
    expect(result).toMatchObject({ status: 'failed' });
    expect(result.error_message).toContain('the real outcome');
    expect(result.check_metadata.logs).toEqual(['peeked 1']);
  }, 60_000);

  it('is refused a file within a second, in a sentence, and out of memory is a sentence too', async () => {
    const file = await run(
      `test('Fulfil from a file', async ({ page }) => {
  await test.step('Route', async () => {
    await page.route('**/*', (route) => route.fulfill({ path: '/etc/passwd' }));
    await page.goto('http://example.invalid/');
  });
});`,
    );
    expect(file.status).toBe('failed');
    expect(file.error_message).toMatch(/Synthetic scripts have no files.*\/etc\/passwd/);
    expect((file.check_metadata.steps as { duration_ms: number }[])[0]?.duration_ms).toBeLessThan(1000);
    // Chromium blocks a framed local file, and Playwright would wait for the frame until the timeout.
    const frame = await run(
      `test('Frame a file', async ({ page }) => {
  await test.step('Set the page', async () => {
    await page.setContent('<iframe src="file:///etc/passwd"></iframe>');
  });
});`,
    );
    expect(frame.error_message).toContain(
      'Only http(s) pages can be opened by synthetic checks, not file:///etc/passwd',
    );
    expect((frame.check_metadata.steps as { duration_ms: number }[])[0]?.duration_ms).toBeLessThan(1000);

    const memory = await run('const hoard = [];\nwhile (true) hoard.push(new Array(1e6).fill(1.5));');
    expect(memory.status).toBe('failed');
    expect(memory.error_message).toMatch(/^The script ran out of memory \(\d+ MB\)\.$/);
  }, 90_000);

  it("runs the runner and the browser as unprivileged users in namespaces of their own, with Chromium's sandbox", async () => {
    const result = await run(`${ESCAPE}console.log(String(host.getuid()));`);
    // The runner is another user than the browser host, and cannot enter its directory.
    expect(result.check_metadata.logs ?? result.error_message).toEqual(['65533']);
    const pid = browser.pid as number;
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+65534\s/m);
    const hostDir = statSync(
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1) as string,
    );
    expect({ uid: hostDir.uid, mode: hostDir.mode & 0o777 }).toEqual({ uid: 65534, mode: 0o700 });
    expect(readlinkSync(`/proc/${pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
    const chromes = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return new RegExp(`^PPid:\\s+${pid}$`, 'm').test(readFileSync(`/proc/${p}/status`, 'utf8'));
        } catch {
          return false;
        }
      })
      .map((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0'));
    expect(chromes.length).toBeGreaterThan(0);
    for (const argv of chromes) expect(argv).not.toContain('--no-sandbox');
  }, 60_000);
});

describe.skipIf(!chromium && !CI)('where the host cannot isolate a script', () => {
  const lacking = {
    ok: false as const,
    reason: 'this host lacks unshare, setpriv, mount, ip (Debian: apt install util-linux mount iproute2)',
  };
  const run = (browser: SyntheticBrowser) =>
    runProbe(
      {
        type: 'synthetic',
        timeout: 30,
        url: 'http://127.0.0.1:9/',
        parameters: { pw_script: "console.log('ran')" },
      },
      { blockPrivate: true, browser },
    );

  it('names what the host lacks', async () => {
    expect(await detectIsolation([], ['/nonexistent'])).toEqual({
      ok: false,
      reason: 'this host lacks unshare, setpriv, mount, ip (Debian: apt install util-linux mount iproute2)',
    });
  });

  it('refuses synthetic checks, saying why and how to opt in; with VIGIL_SYNTHETIC_UNCONFINED they run', async () => {
    const refusing = new SyntheticBrowser({
      log: silentLogger(),
      chromiumPath: chromium,
      blockPrivate: true,
      isolation: lacking,
    });
    const refused = await run(refusing);
    expect(refused.status).toBe('failed');
    expect(refused.error_message).toMatch(
      /^Synthetic checks are refused on this server: this host lacks unshare, setpriv, mount, ip .*VIGIL_SYNTHETIC_UNCONFINED=true/,
    );
    expect(refusing.pid).toBeUndefined();

    const unconfined = new SyntheticBrowser({
      log: silentLogger(),
      chromiumPath: chromium,
      blockPrivate: true,
      isolation: lacking,
      unconfined: true,
    });
    try {
      expect(await run(unconfined)).toMatchObject({ status: 'ok', check_metadata: { logs: ['ran'] } });
    } finally {
      await unconfined.close();
    }
  }, 90_000);
});

describe.skipIf(!runWritable)('the isolation wrapper, below the JavaScript seals', () => {
  it('leaves a process no TCP to the host, and no Unix socket under /run', async () => {
    const isolation = await detectIsolation([]);
    if (!isolation.ok) throw new Error(isolation.reason);
    const tcp = createServer((s) => s.end());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const unix = createServer((s) => s.end());
    const path = `/run/vigil-test-${randomUUID()}.sock`;
    await new Promise<void>((resolve) => unix.listen(path, resolve));
    chmodSync(path, 0o666);
    try {
      const probe = `const net = require('node:net');
const attempt = (o) => new Promise((r) => { const s = net.connect(o); s.on('connect', () => { s.destroy(); r('connected'); }); s.on('error', (e) => r(e.code)); });
Promise.all([attempt({ host: '127.0.0.1', port: ${(tcp.address() as AddressInfo).port} }), attempt({ path: '${path}' })]).then((r) => console.log(JSON.stringify(r)));`;
      const [command, ...args] = isolation.wrap([process.execPath, '-e', probe], 'runner');
      const out = spawnSync(command as string, args, { encoding: 'utf8', timeout: 20_000 });
      expect(JSON.parse(out.stdout)).toEqual(['ECONNREFUSED', 'ENOENT']);
    } finally {
      tcp.close();
      unix.close();
      rmSync(path, { force: true });
    }
  }, 30_000);
});
