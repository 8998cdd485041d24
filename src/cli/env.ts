/**
 * The first configuration stages: the process environment with a `.env` file under it (the
 * environment wins, as python-dotenv does for the seeds), then command-line flags over both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';

export type Env = Record<string, string | undefined>;

export function readEnv(processEnv: Env, envFile = '.env'): Env {
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
  return { ...fromFile, ...processEnv };
}

/** Flags that set a variable; the README's table lists them beside the variables. */
export const FLAG_VARIABLES = {
  mode: 'VIGIL_MODE',
  host: 'HTTP_HOST',
  port: 'HTTP_PORT',
  'data-dir': 'VIGIL_DATA_DIR',
  'database-url': 'VIGIL_DATABASE_URL',
  transport: 'TRANSPORT_MODE',
  toolsets: 'VIGIL_TOOLSETS',
  'user-email': 'VIGIL_USER_EMAIL',
} as const;

export type FlagName = keyof typeof FLAG_VARIABLES;

export function withFlags(env: Env, flags: Partial<Record<FlagName, string>>): Env {
  const out = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag as FlagName];
    if (value !== undefined) out[variable] = value;
  }
  return out;
}
