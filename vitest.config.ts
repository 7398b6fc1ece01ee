import { defineConfig } from 'vitest/config';
import { NameOrderSequencer } from './test/sequencer.ts';

// Unit tests are pure and fast; integration tests (*.it.test.ts) share one real stack that
// test/global-setup.ts brings up once and tears down at the end.
export default defineConfig({
  test: {
    // Root-only option: integration files must run in name order (see test/sequencer.ts).
    sequence: { sequencer: NameOrderSequencer },
    // CI reads the totals from this file (.ci/run prints `N passed, N failed`).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['**/*.test.ts'],
          exclude: ['**/*.it.test.ts', '**/node_modules/**', '.windshear/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          // After the unit project, so the stack's start-up does not compete with it for 2 cores.
          sequence: { groupOrder: 1 },
          include: ['**/*.it.test.ts'],
          exclude: ['**/node_modules/**', '.windshear/**'],
          globalSetup: ['test/global-setup.ts'],
          // Fails every file with the reason when the stack could not come up (see global-setup.ts).
          setupFiles: ['test/stack-required.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
