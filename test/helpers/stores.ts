/**
 * The store kinds every store test runs on: SQLite in a temporary directory, and PostgreSQL.
 */
import { freshPostgresUrl, postgresAvailable } from './postgres.js';
import { tempDir } from './vigil.js';

export interface StoreTarget {
  kind: 'sqlite' | 'postgres';
  /** Options for createEmbeddedProvider / the VIGIL_* variables, fresh per call. */
  open(): Promise<{ dataDir: string; databaseUrl?: string }>;
}

export const STORES: StoreTarget[] = [
  { kind: 'sqlite', open: async () => ({ dataDir: tempDir() }) },
  { kind: 'postgres', open: async () => ({ dataDir: tempDir(), databaseUrl: await freshPostgresUrl() }) },
];

/** Whether the suite for `kind` can run here (PostgreSQL is required when CI=true). */
export async function storeAvailable(kind: StoreTarget['kind']): Promise<boolean> {
  return kind === 'sqlite' || postgresAvailable();
}
