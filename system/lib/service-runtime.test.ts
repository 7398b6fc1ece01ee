import { describe, expect, it } from 'vitest';
import { runChecks } from './service-runtime.ts';

describe('runChecks', () => {
  it('reports every check and is ready only when all pass by default', async () => {
    const r = await runChecks({ a: async () => 1, b: async () => Promise.reject(new Error('down')) });
    expect(r.ok).toBe(false);
    expect(r.checks).toEqual({ a: 'ok', b: 'error: Error: down' });
  });

  it('lets the service decide readiness from partial results', async () => {
    const r = await runChecks(
      { index: async () => Promise.reject(new Error('down')), store: async () => 1 },
      (ok) => ok.index === true || ok.store === true,
    );
    expect(r.ok).toBe(true);
  });
});
