#!/usr/bin/env node
/**
 * The benchmark baseline: a bare MCP SDK v2 server with one trivial tool (`echo`, returns its
 * arguments), and nothing else — no store, no validation, no auth. It is invoked like Vigil so
 * the harness treats both alike: no argument serves stdio; `serve` serves Streamable HTTP on
 * HTTP_PORT (0 = a free port) and logs `{"mcp":"http://127.0.0.1:PORT/mcp"}` on stderr.
 */
import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

function makeServer() {
  const server = new Server({ name: 'baseline', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async () => ({
    tools: [{ name: 'echo', description: 'echo', inputSchema: { type: 'object', properties: {} } }],
  }));
  server.setRequestHandler('tools/call', async (req) => ({
    content: [{ type: 'text', text: JSON.stringify(req.params.arguments ?? {}) }],
  }));
  return server;
}

if (process.argv[2] === 'serve') {
  const node = toNodeHandler(createMcpHandler(() => makeServer()));
  const http = createServer((req, res) => node(req, res));
  http.listen(Number(process.env.HTTP_PORT ?? 0), '127.0.0.1', () => {
    const { port } = http.address();
    process.stderr.write(`${JSON.stringify({ mcp: `http://127.0.0.1:${port}/mcp` })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0)); // a clean exit, so `--cpu-prof` writes its profile
} else {
  serveStdio(() => makeServer());
  process.stdin.once('end', () => process.exit(0));
}
