/** The Pingera provider's settings: the seed's variables, read through their schemas. */
import { z } from 'zod';
import { type Config, positiveInt, type SettingsOf, url } from '../../core/config.js';

export const PINGERA_VARIABLES = [
  {
    name: 'PINGERA_API_KEY',
    schema: z.string().min(1),
    description: 'Pingera API key (the pingera provider).',
  },
  {
    name: 'PINGERA_JWT_TOKEN',
    schema: z.string().min(1),
    description: 'Pingera JWT, instead of an API key.',
  },
  {
    name: 'PINGERA_BASE_URL',
    default: 'https://api.pingera.ru/v1',
    schema: url('an https:// URL'),
    description: 'Pingera API base URL.',
  },
  {
    name: 'PINGERA_TIMEOUT',
    default: '30',
    schema: positiveInt('a positive number of seconds'),
    description: 'Pingera request timeout in seconds.',
  },
  {
    name: 'PINGERA_MAX_RETRIES',
    default: '3',
    schema: z.coerce
      .number({ error: 'accepts a whole number 0-10' })
      .int('accepts a whole number 0-10')
      .min(0, 'accepts a whole number 0-10')
      .max(10, 'accepts a whole number 0-10'),
    description: 'Retries of idempotent Pingera requests.',
  },
] as const;

export interface PingeraSettings {
  baseUrl: string;
  apiKey: string | undefined;
  jwt: string | undefined;
  timeoutMs: number;
  maxRetries: number;
}

/** The settings from the configuration's environment; throws ConfigError naming a bad variable. */
export function pingeraSettings(config: Config): PingeraSettings {
  const s: SettingsOf<typeof PINGERA_VARIABLES> = config.settingsOf(PINGERA_VARIABLES);
  return {
    baseUrl: s.PINGERA_BASE_URL,
    apiKey: s.PINGERA_API_KEY,
    jwt: s.PINGERA_JWT_TOKEN,
    timeoutMs: s.PINGERA_TIMEOUT * 1000,
    maxRetries: s.PINGERA_MAX_RETRIES,
  };
}
