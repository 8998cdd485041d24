/**
 * JSON over HTTP for the channels that POST: the target guard, a timeout, no redirects.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkLiteral, guardedLookup } from '../../checks/target-guard.js';

const TIMEOUT_MS = 10_000;

/** How much of an answer's body is read, for its error message. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * POSTs JSON and answers the status and the start of the body. Cloud metadata addresses are
 * refused (a webhook URL is user input), judged on the address at connect time as checks are;
 * redirects are not followed.
 */
export function request(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  checkLiteral(target.hostname, false);
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil', ...headers },
      lookup: guardedLookup(false) as never,
      timeout: TIMEOUT_MS,
    });
    req.on('timeout', () =>
      req.destroy(new Error(`No answer from ${target.host} within ${TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_ANSWER_BYTES) text += chunk;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.end(body);
  });
}

/** POSTs JSON; a non-2xx answer is a failure. */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const { status } = await request(url, body, headers);
  if (status < 200 || status >= 300) throw new Error(`HTTP ${status} from ${new URL(url).host}`);
}
