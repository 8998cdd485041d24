/**
 * A real SMTP server on loopback (`smtp-server`) that keeps what it accepts, parsed with a real
 * parser (`mailparser`), and refuses the recipients a test names with a 550.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpCapture {
  url: string;
  mails: Mail[];
  /** Recipients answered 550 at RCPT TO. */
  refuse: Set<string>;
  /** Messages accepted so far (cheaper than `mails` when parsing is off). */
  accepted(): number;
  close(): Promise<void>;
}

/** Starts the server; with `parse: false` it only counts (for benchmarks). */
export async function smtpCapture(opts: { parse?: boolean } = {}): Promise<SmtpCapture> {
  const parse = opts.parse ?? true;
  const mails: Mail[] = [];
  const refuse = new Set<string>();
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) {
        const err = new Error('5.1.1 No such user here') as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (parse) chunks.push(c);
      });
      stream.on('end', async () => {
        count++;
        if (parse) {
          const raw = Buffer.concat(chunks).toString('utf8');
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            parsed: await simpleParser(raw),
            raw,
          });
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuse,
    accepted: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
