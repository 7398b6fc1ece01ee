import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Linux's scheduler autogroups (CONFIG_SCHED_AUTOGROUP, `kernel.sched_autogroup_enabled`): every
 * session in the root CPU cgroup is one scheduling entity, weighed against the other sessions and
 * against cgroups (Docker's `/docker`) by the autogroup's own niceness. A process's niceness then
 * only ranks it inside its session (sched(7)): the harness at niceness -10 still weighs as much
 * as all of Docker's containers together, and as each detached component of the local platform.
 */
const ENABLED = '/proc/sys/kernel/sched_autogroup_enabled';
const SELF = '/proc/self/autogroup';

/** The niceness in `/proc/<pid>/autogroup` ("/autogroup-123 nice 0"), null when unreadable. */
export function parseAutogroupNice(text: string): number | null {
  const m = /\bnice\s+(-?\d+)\s*$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** The niceness of this process's autogroup; null when autogroups are off or unknown. */
export function autogroupNice(self = SELF, enabled = ENABLED): number | null {
  if (read(enabled)?.trim() !== '1') return null;
  const text = read(self);
  return text === null ? null : parseAutogroupNice(text);
}

/**
 * Sets this process's autogroup (its whole session) to `target` niceness (raising needs
 * CAP_SYS_NICE) and returns the niceness it had, or null when autogroups are off or the write is
 * refused. The setting outlives the process in the session's other processes: give the returned
 * value back with `setAutogroupNice` when done.
 */
export function setAutogroupNice(target: number, self = SELF, enabled = ENABLED): number | null {
  const before = autogroupNice(self, enabled);
  if (before === null) return null;
  try {
    writeFileSync(self, String(target));
  } catch {
    return null;
  }
  return before;
}
