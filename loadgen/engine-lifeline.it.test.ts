import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidsMentioning } from '../chaos/platforms/local/processes.ts';
import { waitFor } from '../lib/exec.ts';
import { paths, REPO_ROOT } from '../lib/paths.ts';
import { startFakeEdge } from './fake-edge.ts';

describe('the load engine never outlives the harness', () => {
  it('SIGKILL of `windshear load` ends its ws-load within 2 s (parent-death signal and stdin lifeline)', async () => {
    const edge = await startFakeEdge();
    const out = mkdtempSync(join(tmpdir(), 'ws-it-lifeline-'));
    const owner = paths.engineOwner();
    try {
      const cli = spawn(
        process.execPath,
        [
          join(REPO_ROOT, 'bin', 'windshear.mjs'),
          'load',
          '--duration',
          '60s',
          '--scale',
          '0.01',
          '--target',
          edge.url,
          '--out',
          out,
        ],
        { stdio: 'ignore' },
      );
      let engine: number[] = [];
      await waitFor(async () => {
        engine = pidsMentioning(owner).filter((p) => p !== cli.pid);
        return engine.length > 0;
      }, 30_000);
      expect(engine.length).toBe(1);
      cli.kill('SIGKILL');
      const killedAt = Date.now();
      await waitFor(async () => pidsMentioning(owner).length === 0, 5000, 50);
      const gone = Date.now() - killedAt;
      expect(gone).toBeLessThan(2000);
      console.log(`ws-load gone ${gone} ms after the harness was SIGKILLed`);
    } finally {
      await edge.close();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
