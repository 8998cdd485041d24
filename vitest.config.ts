import { defineConfig } from 'vitest/config';

/**
 * Tests that load the whole machine on purpose (many server processes, hundreds of checks, kill -9
 * and failover timings): run one at a time once the rest are done, so that neither they nor the
 * timing-sensitive tests beside them (synthetic checks in Chromium) measure each other's load.
 */
const LOAD = [
  'test/e2e/engine-kill.test.ts',
  'test/e2e/nodes.test.ts',
  'test/e2e/failover-sqlite.test.ts',
  'test/e2e/storage-faults.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: LOAD,
          // End-to-end tests spawn servers; two cores, so keep parallelism modest.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'load', include: LOAD, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
