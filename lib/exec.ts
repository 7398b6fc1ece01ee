import { spawn } from 'node:child_process';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this long; exitCode is then 124, as with timeout(1). */
  timeoutMs?: number;
  /** Each output line as it arrives (for progress). */
  onLine?: (line: string) => void;
  input?: string;
}

/** Runs a command to completion without a shell; never throws for a non-zero exit. */
export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const feed = (chunk: Buffer, toStdout: boolean) => {
      const text = chunk.toString();
      if (toStdout) stdout += text;
      else stderr += text;
      if (opts.onLine) {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) opts.onLine(l);
      }
    };
    child.stdout?.on('data', (c: Buffer) => feed(c, true));
    child.stderr?.on('data', (c: Buffer) => feed(c, false));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ exitCode: 127, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ exitCode: timedOut ? 124 : (code ?? 1), stdout, stderr });
    });
  });
}

/** True when `cmd` is on PATH. */
export async function onPath(cmd: string): Promise<string | null> {
  const r = await exec('sh', ['-c', `command -v ${cmd}`]);
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `check` every `everyMs` until it returns a value or `timeoutMs` passes (then null), or
 * until `signal` aborts (then null at once).
 */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  everyMs = 500,
  signal?: AbortSignal,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return null;
    const v = await check().catch(() => null);
    if (v) return v;
    if (Date.now() >= deadline || signal?.aborted) return null;
    await sleep(everyMs);
  }
}
