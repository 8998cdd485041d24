/**
 * Identifiers and timestamps the store hands out.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A PagerDuty-style id: `P` and thirteen letters or digits (67 bits: alerts and log entries are
 * made by the million, so PagerDuty's seven characters would collide within minutes of ingest).
 */
export function newId(): string {
  let id = 'P';
  for (let i = 0; i < 13; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** A webhook signing secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** An Events API v2 routing key: 32 hex characters. */
export function newIntegrationKey(): string {
  return randomBytes(16).toString('hex');
}

export function now(): string {
  return new Date().toISOString();
}
