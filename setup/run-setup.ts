import type { Installer, SetupReport } from './installer.ts';

export interface SetupOptions {
  /** Only check; install nothing (doctor). */
  checkOnly?: boolean;
  log?: (line: string) => void;
}

/**
 * Detects each component and installs what is missing, in order. A component that fails does
 * not stop the others; the report says what is missing and the exact fix for each.
 */
export async function runSetup(installers: Installer[], opts: SetupOptions = {}): Promise<SetupReport[]> {
  const log = opts.log ?? (() => {});
  const reports: SetupReport[] = [];
  for (const [i, inst] of installers.entries()) {
    const started = Date.now();
    const head = `[${i + 1}/${installers.length}] ${inst.id} ${inst.version}`;
    const found = await inst.detect().catch((e: unknown) => ({ ok: false, detail: String(e) }));
    const base = { id: inst.id, title: inst.title };
    if (found.ok) {
      reports.push({ ...base, state: 'present', ...pick(found), ms: Date.now() - started });
      log(`${head}: present${found.detail ? ` (${found.detail.slice(0, 80)})` : ''}`);
      continue;
    }
    if (opts.checkOnly || !inst.install) {
      reports.push({ ...base, state: 'missing', ...pick(found), ms: Date.now() - started, fix: inst.fix });
      log(`${head}: MISSING — ${found.detail ?? 'not found'}\n    fix: ${inst.fix}`);
      continue;
    }
    log(`${head}: installing (${found.detail ?? 'not found'})`);
    const heartbeat = setInterval(
      () => log(`    … ${inst.id} still installing (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    try {
      await inst.install((line) => log(`    ${line}`));
      const after = await inst.detect();
      if (!after.ok) throw new Error(after.detail ?? 'still not detected after install');
      reports.push({ ...base, state: 'installed', ...pick(after), ms: Date.now() - started });
      log(`${head}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      reports.push({ ...base, state: 'failed', ms: Date.now() - started, detail, fix: inst.fix });
      log(`${head}: FAILED — ${detail}\n    fix: ${inst.fix}`);
    } finally {
      clearInterval(heartbeat);
    }
  }
  return reports;
}

function pick(d: { version?: string; path?: string; detail?: string }) {
  return {
    ...(d.version ? { version: d.version } : {}),
    ...(d.path ? { path: d.path } : {}),
    ...(d.detail ? { detail: d.detail } : {}),
  };
}
