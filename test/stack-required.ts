import { inject } from 'vitest';

// Runs before each integration file (vitest setupFiles): without the stack none of them can run,
// so each fails at once with the reason and its fix, and vitest still ends with its totals.
const why = inject('stackError');
if (why) throw new Error(`the integration stack could not come up, so this file cannot run:\n${why}`);
