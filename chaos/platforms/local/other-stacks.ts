import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Problem } from '../../../lib/errors.ts';
import { SYSTEM_STATE_BASE } from '../../../lib/paths.ts';
import { isAlive } from './processes.ts';
import { type LocalState, readState } from './state-file.ts';

/** A stack another checkout (another state directory) has up on this machine. */
export interface OtherStack {
  stateDir: string;
  /** The checkout that brought it up, when its state says (states written before it do not). */
  checkout?: string;
  createdAt: string;
  profile: string;
  /** Its components' live pids. */
  pids: number[];
}

/**
 * The stacks other checkouts have up, found by their state files under root's state base
 * (`/var/lib/windshear/<checkout>-<hash>`): one machine holds one stack (the namespaces, the
 * bridge and the edge ports have fixed names), so a second `up` must name the first one's owner
 * rather than call its namespaces leftovers. States under a checkout or WINDSHEAR_STATE
 * elsewhere are not found; the problems then say what is taken without an owner.
 */
export function otherLiveStacks(
  ownStateDir: string,
  o: { base?: string; alive?: (pid: number) => boolean; read?: (file: string) => LocalState | null } = {},
): OtherStack[] {
  const base = o.base ?? SYSTEM_STATE_BASE;
  const alive = o.alive ?? isAlive;
  const read = o.read ?? readState;
  if (!existsSync(base)) return [];
  const out: OtherStack[] = [];
  for (const name of readdirSync(base).sort()) {
    const dir = join(base, name);
    if (resolve(dir) === resolve(ownStateDir)) continue;
    let state: LocalState | null = null;
    try {
      state = read(join(dir, 'state.json'));
    } catch {
      state = null;
    }
    if (!state) continue;
    const pids = Object.values(state.components)
      .map((c) => c.pid)
      .filter((p): p is number => p !== null && alive(p));
    if (pids.length === 0) continue;
    out.push({
      stateDir: dir,
      ...(state.checkout ? { checkout: state.checkout } : {}),
      createdAt: state.createdAt,
      profile: state.topology.profile,
      pids,
    });
  }
  return out;
}

/** The problem a second stack would run into, with the owner and the fix that does not hurt it. */
export function otherStackProblem(s: OtherStack): Problem {
  const where = s.checkout ? `the checkout ${s.checkout}` : `another checkout (state in ${s.stateDir})`;
  return {
    code: 'stack-of-another-checkout',
    message:
      `a windshear stack (profile ${s.profile}) from ${where} is up since ${s.createdAt} ` +
      `(${s.pids.length} live processes): one machine runs one stack, it holds the AZ namespaces, the bridge and the edge ports`,
    fix: s.checkout
      ? `wait for it, or stop it with \`cd ${s.checkout} && npx windshear down\` (not \`down --force\` here: that would tear it down under its owner)`
      : `wait for it, or stop it from its checkout with \`windshear down\` (its state: ${s.stateDir})`,
  };
}
