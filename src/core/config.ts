/**
 * Configuration in pure stages: `readEnv` (process env + .env, done by the CLI) → `parseConfig`
 * (one zod schema per variable, validated once). Every variable Vigil reads is declared in
 * VARIABLES; the README's table is checked against it by a test.
 */
import { z } from 'zod';
import { defaultDataDir } from './data-dir.js';
import { nameList } from './name-list.js';

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'accepts true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const port = z.coerce
  .number({ error: 'accepts a port number 1-65535' })
  .int('accepts a port number 1-65535')
  .min(1, 'accepts a port number 1-65535')
  .max(65535, 'accepts a port number 1-65535');
const listenPort = z.coerce
  .number({ error: 'accepts a port number 0-65535 (0 picks a free port)' })
  .int('accepts a port number 0-65535 (0 picks a free port)')
  .min(0, 'accepts a port number 0-65535 (0 picks a free port)')
  .max(65535, 'accepts a port number 0-65535 (0 picks a free port)');
export const positiveInt = (what: string) =>
  z.coerce
    .number({ error: `accepts ${what}` })
    .int(`accepts ${what}`)
    .positive(`accepts ${what}`);
const mode = z.enum(['read_only', 'read_write'], { error: 'accepts read_only or read_write' });
const list = z.string().transform((v) => nameList(v));
export const url = (what: string) => z.url({ error: `accepts ${what}` });
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  error: 'accepts fatal, error, warn, info, debug, trace or silent',
});

/** One environment variable: core's below, and each provider's in its own folder. */
export interface Variable {
  /** The environment variable; `aliases` are read when it is unset (seed spellings). */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly default?: string;
  readonly schema: z.ZodType;
}

export const VARIABLES = [
  // Vigil
  {
    name: 'VIGIL_MODE',
    aliases: ['PINGERA_MODE'],
    schema: mode,
    description:
      'read_only or read_write. In read-only mode write tools are neither listed nor callable. Default: read_only; with a PagerDuty credential alone, read_write, as the PagerDuty seed (whose profile lists only its three writes).',
  },
  {
    name: 'VIGIL_PROVIDERS',
    schema: list,
    description:
      'Providers to use, comma-separated (embedded, pagerduty, pingera). Default: embedded, plus any SaaS provider whose credential is set.',
  },
  {
    name: 'VIGIL_TOOLSETS',
    schema: list,
    description:
      "What is listed and callable, comma-separated: toolsets and profiles (`all`; `core`, the embedded default of 40 tools; `pagerduty`, `pingera`, the seeds' tools). Unset: `default`, the profiles of the providers in use, with every other tool still callable by name.",
  },
  {
    name: 'VIGIL_TOOLS',
    schema: list,
    description: 'Only these tools, comma-separated (narrows; never widens the mode).',
  },
  { name: 'VIGIL_EXCLUDE_TOOLS', schema: list, description: 'Never these tools, comma-separated.' },
  {
    name: 'VIGIL_MAX_RESPONSE_TOKENS',
    default: '20000',
    schema: positiveInt('a positive whole number of tokens'),
    description: 'Response budget (about 4 characters a token); longer lists are cut and say so.',
  },
  {
    name: 'VIGIL_DATA_DIR',
    schema: z.string().min(1, 'accepts a directory path'),
    description:
      'Where the embedded SQLite database and key files live. Default: the per-user data directory, `$XDG_DATA_HOME/vigil` or `~/.local/share/vigil` (macOS `~/Library/Application Support/vigil`, Windows `%LOCALAPPDATA%\\vigil`).',
  },
  {
    name: 'VIGIL_DATABASE_URL',
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'accepts a postgres:// or postgresql:// URL'),
    description: 'Use PostgreSQL instead of SQLite (several nodes may share it).',
  },
  {
    name: 'VIGIL_USER_EMAIL',
    schema: z.email({ error: 'accepts an email address' }),
    description: 'The current user over stdio (for current_user_context).',
  },
  {
    name: 'VIGIL_JWT_SECRET',
    schema: z.string().min(32, 'accepts a secret of at least 32 characters'),
    description: 'Accept HS256 JWTs signed with this secret in Authorization.',
  },
  {
    name: 'VIGIL_JWKS_URL',
    schema: url('an https:// or http:// URL'),
    description: 'Accept JWTs verified against this JWKS.',
  },
  { name: 'VIGIL_JWT_ISSUER', schema: z.string().min(1), description: 'Required `iss` of accepted JWTs.' },
  { name: 'VIGIL_JWT_AUDIENCE', schema: z.string().min(1), description: 'Required `aud` of accepted JWTs.' },
  {
    name: 'VIGIL_OAUTH_ISSUER',
    schema: url('the issuer URL of the authorization server'),
    description:
      'Accept OAuth access tokens from this authorization server (its issuer, exactly as in its tokens) whose audience is VIGIL_PUBLIC_URL/mcp; served in /.well-known/oauth-protected-resource.',
  },
  {
    name: 'VIGIL_ALLOW_UNAUTHENTICATED',
    default: 'false',
    schema: bool,
    description: 'Allow binding a non-loopback address with no authentication configured.',
  },
  {
    name: 'VIGIL_ALLOWED_HOSTS',
    schema: list,
    description:
      'Host header values accepted over HTTP (default: loopback names when bound to loopback, else any).',
  },
  {
    name: 'VIGIL_ALLOWED_ORIGINS',
    schema: list,
    description: 'Origins accepted over HTTP besides loopback ones, e.g. https://agent.example.com.',
  },
  {
    name: 'VIGIL_MAX_BODY_BYTES',
    default: '1048576',
    schema: positiveInt('a positive number of bytes'),
    description: 'Largest HTTP request body accepted (413 above it).',
  },
  {
    name: 'VIGIL_MAX_SESSIONS',
    default: '100',
    schema: positiveInt('a positive whole number'),
    description: 'Most legacy SSE sessions kept open at once.',
  },
  {
    name: 'VIGIL_MAX_SESSIONS_PER_CLIENT',
    default: '10',
    schema: positiveInt('a positive whole number'),
    description:
      'Most legacy SSE sessions one client keeps open at once: per API key or JWT subject, else per address.',
  },
  {
    name: 'VIGIL_SESSION_IDLE_SECONDS',
    default: '600',
    schema: positiveInt('a positive number of seconds'),
    description: 'A legacy SSE session idle this long is closed.',
  },
  {
    name: 'VIGIL_LOG_LEVEL',
    default: 'info',
    schema: logLevel,
    description: 'Log level (logs go to stderr).',
  },
  {
    name: 'VIGIL_BLOCK_PRIVATE_TARGETS',
    default: 'false',
    schema: bool,
    description: 'Refuse check targets in private address ranges.',
  },
  {
    name: 'VIGIL_RESULT_RETENTION',
    default: '14',
    schema: positiveInt('a number of days'),
    description: 'Days raw check results are kept.',
  },
  {
    name: 'VIGIL_AUDIT_RETENTION_DAYS',
    default: '90',
    schema: positiveInt('a number of days'),
    description: 'Days the audit trail (writes, and pings and events counted per hour) is kept.',
  },
  {
    name: 'VIGIL_CHECK_CONCURRENCY',
    default: '200',
    schema: positiveInt('a positive number of checks'),
    description: 'Most scheduled checks running at once.',
  },
  {
    name: 'VIGIL_CHROMIUM_PATH',
    schema: z.string().min(1, 'accepts the path of a Chromium or Chrome binary'),
    description:
      'Browser for synthetic checks. Default: the first of chromium, chromium-browser, google-chrome on PATH.',
  },
  {
    name: 'VIGIL_SYNTHETIC_UNCONFINED',
    default: 'false',
    schema: bool,
    description:
      'Run synthetic checks where their script and browser cannot get a network namespace of their own (otherwise refused there).',
  },
  {
    name: 'VIGIL_PUBLIC_URL',
    schema: z.url({ protocol: /^https?$/, error: 'accepts an http:// or https:// URL' }),
    description: 'Where clients reach this server (heartbeat ping URLs). Default http://HTTP_HOST:HTTP_PORT.',
  },
  {
    name: 'VIGIL_STATUS_FRAME_ANCESTORS',
    default: "'none'",
    schema: z.string().transform((v, ctx) => {
      const accepts =
        "accepts 'none', 'self' or origins such as https://intranet.example.com, separated by spaces or commas";
      const sources = v
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((s) => (/^'?(self|none)'?$/i.test(s) ? `'${s.replace(/'/g, '').toLowerCase()}'` : s));
      const source =
        /^(?:'self'|'none'|\*|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?(?:\/[^\s;,'"]*)?)$/i;
      if (
        !sources.length ||
        !sources.every((s) => source.test(s)) ||
        (sources.includes("'none'") && sources.length > 1)
      ) {
        ctx.addIssue({ code: 'custom', message: accepts });
        return z.NEVER;
      }
      return sources;
    }),
    description:
      "Who may show status pages in a frame (CSP frame-ancestors): 'none', 'self', or origins such as https://intranet.example.com.",
  },
  {
    name: 'VIGIL_SLACK_SIGNING_SECRET',
    schema: z.string().regex(/^\S{8,200}$/, "accepts the Slack app's signing secret"),
    description:
      "The Slack app's signing secret: /slack/interactivity acts on Slack buttons only in requests signed with it.",
  },
  {
    name: 'VIGIL_SLACK_BOT_TOKEN',
    schema: z.string().regex(/^xox[bp]-[A-Za-z0-9-]{10,255}$/, "accepts the Slack app's bot token (xoxb-…)"),
    description:
      "The Slack app's bot token (scopes users:read, users:read.email): a click on an alert channel's message acts as the Vigil user with the clicker's Slack email.",
  },
  {
    name: 'VIGIL_SLACK_API_URL',
    default: 'https://slack.com/api',
    schema: url('an http:// or https:// URL'),
    description: "Slack's Web API.",
  },
  {
    name: 'VIGIL_TELEGRAM_BOT_TOKEN',
    schema: z
      .string()
      .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'accepts a bot token from @BotFather (123456:ABC…)'),
    description: 'Telegram bot for `telegram` notifications (Bot API sendMessage).',
  },
  {
    name: 'VIGIL_TELEGRAM_API_URL',
    default: 'https://api.telegram.org',
    schema: url('an http:// or https:// URL'),
    description: "Telegram's Bot API.",
  },
  {
    name: 'VIGIL_TELEGRAM_WEBHOOK_SECRET',
    schema: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'accepts 16-256 characters A-Z, a-z, 0-9, _ and -'),
    description:
      "The secret_token given to the bot's setWebhook: /telegram/webhook takes only updates carrying it.",
  },
  {
    name: 'VIGIL_SMTP_URL',
    schema: url('an smtp:// or smtps:// URL'),
    description: 'SMTP server for email notifications.',
  },
  {
    name: 'VIGIL_SMTP_FROM',
    default: 'Vigil <vigil@localhost>',
    schema: z.string().min(3, 'accepts an address such as "Vigil <vigil@example.com>"'),
    description: 'The From address of notification email.',
  },
  {
    name: 'VIGIL_TWILIO_ACCOUNT_SID',
    schema: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'accepts a Twilio Account SID (AC and 32 hex digits)'),
    description: 'Twilio account for `sms` and `phone` (voice call) notifications.',
  },
  {
    name: 'VIGIL_TWILIO_AUTH_TOKEN',
    schema: z.string().min(1, 'accepts the Twilio auth token'),
    description: 'Auth token of VIGIL_TWILIO_ACCOUNT_SID.',
  },
  {
    name: 'VIGIL_TWILIO_FROM',
    schema: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'accepts an E.164 phone number such as +14155550100'),
    description: 'The Twilio number texts and calls come from.',
  },
  {
    name: 'VIGIL_TWILIO_API_URL',
    default: 'https://api.twilio.com',
    schema: url('an http:// or https:// URL'),
    description: "Twilio's REST API.",
  },
  {
    name: 'VIGIL_PUSHOVER_TOKEN',
    schema: z.string().regex(/^[A-Za-z0-9]{30}$/, 'accepts a 30-character Pushover application token'),
    description: 'Pushover application token for `pushover` notifications.',
  },
  {
    name: 'VIGIL_PUSHOVER_API_URL',
    default: 'https://api.pushover.net',
    schema: url('an http:// or https:// URL'),
    description: "Pushover's API.",
  },
  {
    name: 'VIGIL_MATRIX_HOMESERVER',
    schema: url('the homeserver URL, e.g. https://matrix.example.org'),
    description: 'Matrix homeserver for `matrix` notifications (client-server API).',
  },
  {
    name: 'VIGIL_MATRIX_ACCESS_TOKEN',
    schema: z.string().min(1, 'accepts an access token'),
    description: "Access token of the Matrix user that posts Vigil's messages.",
  },
  {
    name: 'VIGIL_SECRET_KEY',
    schema: z.string().min(32, 'accepts a key of at least 32 characters'),
    description: 'Key for secrets stored at rest (default: a generated key file in VIGIL_DATA_DIR).',
  },
  // Seed transport settings (the Pingera seed reads both spellings)
  {
    name: 'TRANSPORT_MODE',
    aliases: ['PINGERA_TRANSPORT_MODE'],
    schema: z.enum(['stdio', 'sse', 'http'], { error: 'accepts stdio, sse or http' }),
    description: 'stdio (default for `vigil`), or sse/http (the HTTP server; default for `vigil serve`).',
  },
  {
    name: 'HTTP_HOST',
    aliases: ['PINGERA_HTTP_HOST'],
    default: '127.0.0.1',
    schema: z.string().min(1, 'accepts a host name or address'),
    description: 'Address the HTTP server binds.',
  },
  {
    name: 'HTTP_PORT',
    aliases: ['PINGERA_HTTP_PORT'],
    default: '5000',
    schema: listenPort,
    description: 'Port the HTTP server listens on.',
  },
  {
    name: 'REQUIRE_AUTH_HEADER',
    aliases: ['PINGERA_REQUIRE_AUTH_HEADER'],
    default: 'false',
    schema: bool,
    description: 'Reject HTTP requests without an Authorization header (401).',
  },
  {
    name: 'PINGERA_DEBUG',
    default: 'false',
    schema: bool,
    description: 'Debug logging (same as VIGIL_LOG_LEVEL=debug).',
  },
  {
    name: 'PINGERA_SERVER_NAME',
    aliases: ['VIGIL_SERVER_NAME'],
    default: 'Vigil',
    schema: z.string().min(1),
    description: 'The server name clients see.',
  },
] as const satisfies readonly Variable[];

/** Each variable's value as its schema gives it; undefined when unset, unless it has a default. */
export type SettingsOf<Vs extends readonly Variable[]> = {
  [V in Vs[number] as V['name']]: z.output<V['schema']> | (V extends { default: string } ? never : undefined);
};

type Settings = SettingsOf<typeof VARIABLES>;

/** The environment as the CLI read it (process env, .env file and flags), by variable name. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads `variables` from the environment, each through its own schema (an alias when the name is
 * unset, then the default). Throws ConfigError naming the first bad variable and what it accepts.
 */
export function parseVariables<const Vs extends readonly Variable[]>(
  variables: Vs,
  env: Environment,
): SettingsOf<Vs> {
  const values: Record<string, unknown> = {};
  for (const v of variables) {
    const spelled = [v.name, ...(v.aliases ?? [])].find((n) => env[n] !== undefined && env[n] !== '');
    const value = spelled ? env[spelled] : v.default;
    if (value === undefined) continue;
    const parsed = v.schema.safeParse(value.trim());
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? 'has an invalid value';
      throw new ConfigError(spelled ?? v.name, `invalid value '${value}', ${message}`);
    }
    values[v.name] = parsed.data;
  }
  // Each value above came from its own variable's schema, or is absent: what SettingsOf says.
  return values as SettingsOf<Vs>;
}

export interface Config {
  mode: 'read_only' | 'read_write';
  /** VIGIL_MODE was set: the mode is the operator's, not a default a provider may change. */
  modeGiven: boolean;
  providers: string[] | undefined;
  toolsets: string[] | undefined;
  tools: string[] | undefined;
  excludeTools: string[];
  maxResponseTokens: number;
  dataDir: string;
  databaseUrl: string | undefined;
  userEmail: string | undefined;
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  allowUnauthenticated: boolean;
  allowedHosts: string[] | undefined;
  allowedOrigins: string[];
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleSeconds: number;
  logLevel: string;
  transport: 'stdio' | 'sse' | 'http' | undefined;
  httpHost: string;
  httpPort: number;
  requireAuthHeader: boolean;
  serverName: string;
  smtp: { url?: string; from: string };
  /** Notification services; a kind whose settings are missing is recorded `unsupported`. */
  notify: {
    twilio?: { apiUrl: string; accountSid: string; authToken: string; from: string };
    pushover?: { apiUrl: string; token: string };
    matrix?: { homeserver: string; accessToken: string };
  };
  checks: {
    blockPrivate: boolean;
    retentionDays: number;
    concurrency: number;
    chromiumPath: string | undefined;
    syntheticUnconfined: boolean;
  };
  secretKey: string | undefined;
  /** Days audit entries are kept. */
  auditRetentionDays: number;
  /** Where clients reach this server, without a trailing slash. */
  publicUrl: string;
  /**
   * VIGIL_PUBLIC_URL was set: the address is the operator's, not guessed from the bind address,
   * so links may carry it off this machine (and a listener on another port does not replace it).
   */
  publicUrlGiven: boolean;
  maxSessionsPerClient: number;
  /** The authorization server whose OAuth access tokens are accepted (VIGIL_OAUTH_ISSUER). */
  oauthIssuer: string | undefined;
  /** CSP frame-ancestors of status pages. */
  statusFrameAncestors: string[];
  /**
   * The Slack app: its signing secret (button clicks are taken only when signed with it) and its
   * bot token (who clicked a message that names nobody).
   */
  slack: { signingSecret: string | undefined; botToken: string | undefined; apiUrl: string };
  /** The Telegram bot (VIGIL_TELEGRAM_*), when its token is set; the webhook secret when that is. */
  telegram: { botToken: string; apiUrl: string; webhookSecret: string | undefined } | undefined;
  /**
   * Reads variables that are not core's (a provider's, declared in its folder) through their
   * schemas, from the same environment as the rest.
   */
  settingsOf<const Vs extends readonly Variable[]>(variables: Vs): SettingsOf<Vs>;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly accepts: string,
  ) {
    super(`${variable}: ${accepts}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment. Throws ConfigError naming the first bad variable and what it accepts. */
export function parseConfig(env: Environment): Config {
  const s: Settings = parseVariables(VARIABLES, env);
  const publicUrl = s.VIGIL_PUBLIC_URL ?? `http://${hostForUrl(s.HTTP_HOST)}:${s.HTTP_PORT}`;
  return {
    mode: s.VIGIL_MODE ?? 'read_only',
    modeGiven: s.VIGIL_MODE !== undefined,
    providers: s.VIGIL_PROVIDERS,
    toolsets: s.VIGIL_TOOLSETS,
    tools: s.VIGIL_TOOLS,
    excludeTools: s.VIGIL_EXCLUDE_TOOLS ?? [],
    maxResponseTokens: s.VIGIL_MAX_RESPONSE_TOKENS,
    dataDir: s.VIGIL_DATA_DIR ?? defaultDataDir(env),
    databaseUrl: s.VIGIL_DATABASE_URL,
    userEmail: s.VIGIL_USER_EMAIL,
    jwt: {
      secret: s.VIGIL_JWT_SECRET,
      jwksUrl: s.VIGIL_JWKS_URL,
      issuer: s.VIGIL_JWT_ISSUER,
      audience: s.VIGIL_JWT_AUDIENCE,
    },
    allowUnauthenticated: s.VIGIL_ALLOW_UNAUTHENTICATED,
    allowedHosts: s.VIGIL_ALLOWED_HOSTS,
    allowedOrigins: s.VIGIL_ALLOWED_ORIGINS ?? [],
    maxBodyBytes: s.VIGIL_MAX_BODY_BYTES,
    maxSessions: s.VIGIL_MAX_SESSIONS,
    maxSessionsPerClient: s.VIGIL_MAX_SESSIONS_PER_CLIENT,
    sessionIdleSeconds: s.VIGIL_SESSION_IDLE_SECONDS,
    logLevel: s.PINGERA_DEBUG ? 'debug' : s.VIGIL_LOG_LEVEL,
    transport: s.TRANSPORT_MODE,
    httpHost: s.HTTP_HOST,
    httpPort: s.HTTP_PORT,
    requireAuthHeader: s.REQUIRE_AUTH_HEADER,
    serverName: s.PINGERA_SERVER_NAME,
    smtp: { url: s.VIGIL_SMTP_URL, from: s.VIGIL_SMTP_FROM },
    notify: notifySettings(s),
    slack: {
      signingSecret: s.VIGIL_SLACK_SIGNING_SECRET,
      botToken: s.VIGIL_SLACK_BOT_TOKEN,
      apiUrl: s.VIGIL_SLACK_API_URL,
    },
    telegram: s.VIGIL_TELEGRAM_BOT_TOKEN
      ? {
          botToken: s.VIGIL_TELEGRAM_BOT_TOKEN,
          apiUrl: s.VIGIL_TELEGRAM_API_URL,
          webhookSecret: s.VIGIL_TELEGRAM_WEBHOOK_SECRET,
        }
      : undefined,
    secretKey: s.VIGIL_SECRET_KEY,
    auditRetentionDays: s.VIGIL_AUDIT_RETENTION_DAYS,
    checks: {
      blockPrivate: s.VIGIL_BLOCK_PRIVATE_TARGETS,
      retentionDays: s.VIGIL_RESULT_RETENTION,
      concurrency: s.VIGIL_CHECK_CONCURRENCY,
      chromiumPath: s.VIGIL_CHROMIUM_PATH,
      syntheticUnconfined: s.VIGIL_SYNTHETIC_UNCONFINED,
    },
    publicUrl: publicUrl.replace(/\/+$/, ''),
    publicUrlGiven: s.VIGIL_PUBLIC_URL !== undefined,
    oauthIssuer: s.VIGIL_OAUTH_ISSUER,
    statusFrameAncestors: s.VIGIL_STATUS_FRAME_ANCESTORS,
    settingsOf: (variables) => parseVariables(variables, env),
  };
}

/** The notification services whose settings are complete. */
function notifySettings(s: Settings): Config['notify'] {
  const { VIGIL_TWILIO_ACCOUNT_SID: sid, VIGIL_TWILIO_AUTH_TOKEN: auth, VIGIL_TWILIO_FROM: from } = s;
  const { VIGIL_PUSHOVER_TOKEN: pushover, VIGIL_MATRIX_HOMESERVER: homeserver } = s;
  const matrixToken = s.VIGIL_MATRIX_ACCESS_TOKEN;
  return {
    ...(sid &&
      auth &&
      from && {
        twilio: { apiUrl: s.VIGIL_TWILIO_API_URL, accountSid: sid, authToken: auth, from },
      }),
    ...(pushover && { pushover: { apiUrl: s.VIGIL_PUSHOVER_API_URL, token: pushover } }),
    ...(homeserver && matrixToken && { matrix: { homeserver, accessToken: matrixToken } }),
  };
}

/** A bind address as a URL host: the wildcard becomes loopback, IPv6 gets brackets. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** True when the address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}
