/**
 * What a script's Playwright connection may ask of the browser. The script runs in a sandboxed
 * process, but the browser (and the Playwright server driving it) can read and write files and
 * speak raw DevTools; so every call the runner sends passes here first (the relay in
 * browser.ts). Refused: raw CDP sessions, server-side file paths (saving downloads, uploading
 * local files, video directories), launching or connecting other browsers, and navigation to
 * anything but the web (file:, chrome:, view-source: ...). Each new context is given the run's
 * guard proxy, whatever the script asked for.
 */

/** Methods refused outright, on any object. */
const REFUSED_METHODS = new Set([
  'newCDPSession',
  'newBrowserCDPSession',
  'saveAs',
  'showRecorder',
  'enableRecorder',
  'launch',
  'launchPersistentContext',
  'launchServer',
  'connectOverCDP',
  'connectToWorker',
  'newRequest',
]);
/** Parameters that name files on the browser's side. */
const REFUSED_PARAMS = ['localPaths', 'localDirectory', 'recordVideo', 'userDataDir', 'executablePath'];
const WEB_SCHEMES = new Set(['http:', 'https:', 'about:', 'data:', 'blob:', 'ws:', 'wss:']);

export interface ProtocolMessage {
  id?: number;
  guid?: string;
  method?: string;
  params?: Record<string, unknown>;
}

/**
 * The message to forward (with the run's proxy forced into new contexts), or why it is refused.
 */
export function screen(
  message: ProtocolMessage,
  proxyUrl: string,
): { forward: ProtocolMessage } | { refuse: string } {
  const method = message.method ?? '';
  const params = message.params ?? {};
  if (REFUSED_METHODS.has(method)) return { refuse: `${method} is not available to synthetic checks.` };
  for (const name of REFUSED_PARAMS) {
    if (name in params) return { refuse: `${method} with ${name} is not available to synthetic checks.` };
  }
  // A page set from a string that frames or links a local file: Chromium blocks the load, and
  // Playwright would wait for it until the run's timeout.
  const localInHtml =
    typeof params.html === 'string' ? /\bfile:\/[^\s"'<>]*/i.exec(params.html)?.[0] : undefined;
  const badUrl = findNonWebUrl(params) ?? localInHtml;
  if (badUrl)
    return { refuse: `Only http(s) pages can be opened by synthetic checks, not ${badUrl.slice(0, 100)}` };
  if (method === 'newContext' || method === 'newContextForReuse') {
    return { forward: { ...message, params: { ...params, proxy: { server: proxyUrl } } } };
  }
  return { forward: message };
}

/** The first `url` or `baseURL` value anywhere in the parameters whose scheme is not a web one. */
function findNonWebUrl(value: unknown, depth = 0): string | undefined {
  if (depth > 6 || value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' && (key === 'url' || key === 'baseURL')) {
      const scheme = /^\s*([a-z][a-z0-9+.-]*:)/i.exec(v)?.[1]?.toLowerCase();
      if (scheme && !WEB_SCHEMES.has(scheme)) return v;
    } else if (typeof v === 'object') {
      const found = findNonWebUrl(v, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** A protocol error answer to a refused call, as the Playwright server would send one. */
export function refusal(id: number | undefined, message: string): string {
  return JSON.stringify({ id, error: { error: { message, name: 'Error', stack: `Error: ${message}` } } });
}
