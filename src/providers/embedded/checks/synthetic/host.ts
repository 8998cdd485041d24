/**
 * The browser host: a child process of Vigil that launches Chromium once, as a Playwright
 * server, and keeps it for every synthetic run. Started by browser.ts in a network namespace of
 * its own as an unprivileged user (isolation.ts), and under Node's permission model: it reads only
 * playwright-core and the browser binary, writes only its own temporary directory, and holds none
 * of Vigil's settings or secrets. Scripts never talk to it directly: their calls come through
 * Vigil's relay, which screens them (protocol-filter.ts).
 *
 * Its namespace has only loopback, so it bridges (bridge.ts): its Playwright server out to a Unix
 * socket in its directory, for Vigil; and each guard proxy (a Unix socket of Vigil's) in to a
 * loopback port, for Chromium.
 *
 * argv: playwright-core's entry file, the browser executable, the default guard proxy's socket,
 * the directory to put its own socket in. Sends `{ wsEndpoint, sandboxed }` once the browser is
 * up; answers `{ forward: id, path }` with `{ forwarded: id, port }`; `{ unforward: path }` closes
 * one; closes the browser when Vigil disconnects.
 */
import { join } from 'node:path';
import { type Bridge, bridge } from './bridge.js';
import { allowProbes } from './sandbox.js';

allowProbes();
const [entry, executablePath, proxyPath, dir] = process.argv.slice(2) as [string, string, string, string];
const { chromium } = (await import(entry)) as typeof import('playwright-core');
const loopback = { host: '127.0.0.1', port: 0 };
const bridges = new Map<string, Bridge>();
const defaultProxy = await bridge(loopback, { path: proxyPath });

const launch = (chromiumSandbox: boolean) =>
  chromium.launchServer({
    executablePath,
    headless: true,
    chromiumSandbox,
    proxy: { server: `http://127.0.0.1:${defaultProxy.port}` },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      // Only through the proxy: no direct UDP for WebRTC, no QUIC.
      '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
      '--webrtc-ip-handling-policy=disable_non_proxied_udp',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
// Chromium's own sandbox confines a renderer that a hostile page exploits; it needs user
// namespaces and refuses to run as root, so where it cannot start the browser runs without it.
let sandboxed = true;
const server = await launch(true).catch(() => {
  sandboxed = false;
  return launch(false);
});
const endpoint = new URL(server.wsEndpoint());
const socket = join(dir, 'playwright.sock');
await bridge({ path: socket }, { host: endpoint.hostname, port: Number(endpoint.port) });
process.send?.({ wsEndpoint: `ws+unix:${socket}:${endpoint.pathname}`, sandboxed });

let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  void server.close().finally(() => process.exit(0));
};
process.on('disconnect', close);
process.on('message', (m: unknown) => {
  if (m === 'close') return close();
  const msg = m as { forward?: number; path?: string; unforward?: string };
  if (msg.forward !== undefined && msg.path) {
    const path = msg.path;
    bridge(loopback, { path }).then(
      (b) => {
        bridges.set(path, b);
        process.send?.({ forwarded: msg.forward, port: b.port });
      },
      () => process.send?.({ forwarded: msg.forward, port: 0 }),
    );
  } else if (msg.unforward) {
    bridges.get(msg.unforward)?.close();
    bridges.delete(msg.unforward);
  }
});
server.on('close', () => process.exit(closing ? 0 : 1));
