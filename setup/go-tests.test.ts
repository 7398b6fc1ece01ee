import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../lib/exec.ts';
import { REPO_ROOT } from '../lib/paths.ts';

// The Go programs setup builds have their own tests (`*_test.go`); `npm test` runs them here, so
// a change to the engine or the shaper is tested where every other change is. Go is a toolchain
// setup requires (setup/toolchains.ts), so a missing `go` fails this test with the fix.
const GO_PROGRAMS = ['loadgen/ws-load', 'chaos/tools/ws-netem'];

describe('Go programs', () => {
  for (const dir of GO_PROGRAMS) {
    it(`go test in ${dir} passes`, { timeout: 600_000 }, async () => {
      const r = await exec('go', ['test', '-count=1', './...'], {
        cwd: join(REPO_ROOT, dir),
        env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' },
        timeoutMs: 590_000,
      });
      expect(
        r.exitCode,
        `go test in ${dir} (run \`windshear setup\` if go is missing):\n${r.stdout}\n${r.stderr}`,
      ).toBe(0);
    });
  }
});
