/**
 * MCP over plain HTTP, without an SDK: for what a client library would not send (garbage, a
 * foreign Origin, a bad credential) and for reading raw statuses and headers.
 */

/** An `initialize` request of the 2025 protocol era. */
export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** The headers Streamable HTTP requires on a POST to /mcp. */
export const ACCEPT = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs `body` to `<base>/mcp` with the required headers and `headers`. */
export function postMcp(base: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/mcp`, { method: 'POST', headers: { ...ACCEPT, ...headers }, body });
}
