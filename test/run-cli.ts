import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths.ts';

/** Runs the real CLI (`bin/windshear.mjs`) as a user would; never throws for a non-zero exit. */
export function runCli(
  args: string[],
  opts: {
    timeoutMs?: number;
    /** Added to this process's environment; an undefined value removes the variable. */
    env?: Record<string, string | undefined>;
    /** The checkout whose CLI runs, from its own directory (default: this one). */
    root?: string;
  } = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const root = opts.root ?? REPO_ROOT;
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'windshear.mjs'), ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 255, stdout, stderr, ms: Date.now() - started });
    });
  });
}
