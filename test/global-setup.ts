/**
 * One id per test run, so the PostgreSQL schemas the run creates (test/helpers/postgres.ts) can
 * be dropped when it ends instead of piling up on the server.
 */
import { randomBytes } from 'node:crypto';
import { dropRunSchemas } from './helpers/postgres.js';

export function setup(): () => Promise<void> {
  // Set before the workers start, so every test file sees the same id.
  process.env.VIGIL_TEST_RUN = randomBytes(4).toString('hex');
  return dropRunSchemas;
}
