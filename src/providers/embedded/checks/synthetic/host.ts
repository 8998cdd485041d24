/**
 * The browser host: a child process of Vigil that launches Chromium once, as a Playwright
 * server, and keeps it for every synthetic run. Started by browser.ts under Node's permission
 * model: it reads only playwright-core and the browser binary, writes only its own temporary
 * directory, and holds none of Vigil's settings or secrets. Scripts never talk to it directly:
 * their calls come through Vigil's relay, which screens them (protocol-filter.ts).
 *
 * argv: playwright-core's entry file, the browser executable, the guard proxy every context
 * defaults to. Sends `{ wsEndpoint }` once the browser is up; closes it when Vigil disconnects.
 */
import { allowProbes } from './sandbox.js';

allowProbes();
const [entry, executablePath, proxy] = process.argv.slice(2) as [string, string, string];
const { chromium } = (await import(entry)) as typeof import('playwright-core');

const launch = (chromiumSandbox: boolean) =>
  chromium.launchServer({
    executablePath,
    headless: true,
    chromiumSandbox,
    proxy: { server: proxy },
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
process.send?.({ wsEndpoint: server.wsEndpoint(), sandboxed });

let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  void server.close().finally(() => process.exit(0));
};
process.on('disconnect', close);
process.on('message', (m) => m === 'close' && close());
server.on('close', () => process.exit(closing ? 0 : 1));
