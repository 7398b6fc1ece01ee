import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WindshearError } from '../lib/errors.ts';
import { k6ProcessEnv, resolveK6Bin } from './k6-bin.ts';

async function fakeBin(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const p = join(dir, 'k6');
  await writeFile(p, '#!/bin/sh\n');
  await chmod(p, 0o755);
  return p;
}

describe('resolveK6Bin', () => {
  it('prefers K6_BIN, then .windshear/bin', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ws-k6bin-'));
    const repoBin = await fakeBin(join(root, 'repo', '.windshear', 'bin'));
    const explicit = await fakeBin(join(root, 'explicit'));
    expect(resolveK6Bin({ K6_BIN: explicit, PATH: '' }, join(root, 'repo'))).toBe(explicit);
    expect(resolveK6Bin({ PATH: '' }, join(root, 'repo'))).toBe(repoBin);
  });

  it('names windshear setup when k6 is missing, and rejects a bad K6_BIN', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ws-k6bin-'));
    try {
      resolveK6Bin({ K6_BIN: join(root, 'nope'), PATH: '' }, root);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WindshearError);
      expect((e as WindshearError).problems[0]?.code).toBe('k6-missing');
    }
    const pathBin = await fakeBin(join(root, 'onpath'));
    // /tmp/warm/bin/k6 may exist on this machine; PATH comes after it.
    const found = resolveK6Bin({ PATH: join(root, 'onpath') }, root);
    expect([pathBin, '/tmp/warm/bin/k6']).toContain(found);
  });

  it('always disables the usage report', () => {
    expect(k6ProcessEnv({ K6_NO_USAGE_REPORT: 'false' }).K6_NO_USAGE_REPORT).toBe('true');
  });
});
