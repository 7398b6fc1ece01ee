import { defineConfig } from 'vitest/config';
import { NameOrderSequencer } from './test/sequencer.ts';

// Unit tests are pure and fast; integration tests (*.it.test.ts) share one real stack that
// test/global-setup.ts brings up once and tears down at the end.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.it.test.ts', '**/node_modules/**', '.windshear/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.it.test.ts'],
          exclude: ['**/node_modules/**', '.windshear/**'],
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          sequence: { sequencer: NameOrderSequencer },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
