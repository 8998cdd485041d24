/**
 * Plumbing the HTTP load benchmarks share (enqueue, escalation, heartbeats, status page): a
 * closed-loop POST, the log line, and the stores' drivers for counting what was kept.
 */
import { request } from 'node:http';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** POSTs `body` on `agent`'s sockets; resolves with the status and the answer's text. */
export function post(url, agent, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** better-sqlite3 as Vigil loads it: 13 where N-API 10 is there (Node 24), else 12. */
export async function loadSqlite() {
  const m = await (Number(process.versions.napi) >= 10
    ? import('better-sqlite3-13')
    : import('better-sqlite3'));
  return m.default;
}

/** Runs one statement as PostgreSQL's admin (schemas made and dropped around a run). */
export async function pgAdmin(url, statement) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
