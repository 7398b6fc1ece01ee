import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleServices } from './service-bundle.ts';

describe('bundleServices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles system/main.ts into one module that imports packages instead of bundling them', async () => {
    const { file } = await bundleServices(join(dir, 'main.mjs'));
    const js = readFileSync(file, 'utf8');
    // system/ code is inside (a service name from topology.ts) and no TypeScript import is left …
    expect(js).toContain('search-api');
    expect(js).not.toMatch(/from ["'][^"']+\.ts["']/);
    // … while packages resolve from node_modules at run time.
    expect(js).toMatch(/from ["']fastify["']/);
    expect(js).toMatch(/from ["']kafkajs["']/);
  });
});
