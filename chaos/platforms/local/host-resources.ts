import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { freemem } from 'node:os';
import { dirname } from 'node:path';
import type { Problem } from '../../../lib/errors.ts';
import type { Profile } from '../../../system/topology.ts';

/**
 * What a stack of each profile needs free before `up`, in MiB. Memory: the JVM heaps (3 Kafka
 * brokers at 512 MB, 3 OpenSearch nodes at 512 MB or 768 MB) plus their overhead, 3 PostgreSQL,
 * 6 Redis and the Node services (15 in ci, 24 in full). ci measured: 5.0-5.1 GiB resident after
 * `up` and after integration tests (OpenSearch 1.6 GiB of it, services 2.1-2.2 GiB), so 6 GiB
 * leaves room for the load engine; full adds 9 services and 768 MB of heap (estimated). Disk:
 * data, logs and one run directory.
 */
export const NEEDS: Record<Profile, { memoryMiB: number; diskMiB: number }> = {
  ci: { memoryMiB: 6144, diskMiB: 2048 },
  full: { memoryMiB: 8192, diskMiB: 3072 },
};

export interface HostResources {
  availableMemoryBytes: number;
  freeDiskBytes: number;
  /** The directory whose file system `freeDiskBytes` is about. */
  diskPath: string;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${Math.floor(bytes / MiB)} MiB`;

export function hostResourceProblems(profile: Profile, host: HostResources): Problem[] {
  const need = NEEDS[profile];
  const problems: Problem[] = [];
  if (host.availableMemoryBytes < need.memoryMiB * MiB) {
    problems.push({
      code: 'low-memory',
      message: `the ${profile} profile needs ${need.memoryMiB} MiB of available memory; this machine has ${mib(host.availableMemoryBytes)}`,
      fix:
        profile === 'full'
          ? 'use `--profile ci`, or stop other programs'
          : 'stop other programs (an earlier stack? `windshear down`), or use a machine with more memory',
    });
  }
  if (host.freeDiskBytes < need.diskMiB * MiB) {
    problems.push({
      code: 'low-disk',
      message: `the ${profile} profile needs ${need.diskMiB} MiB free where the state lives (${host.diskPath}); there are ${mib(host.freeDiskBytes)}`,
      fix: `free space on that file system, or set WINDSHEAR_STATE to a directory on one with ${need.diskMiB} MiB free`,
    });
  }
  return problems;
}

/** MemAvailable from /proc/meminfo (free memory plus reclaimable cache), else os.freemem(). */
function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

/** Memory and the free space of the file system that holds (or will hold) `dir`. */
export function readHostResources(dir: string): HostResources {
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  const fs = statfsSync(at);
  return { availableMemoryBytes: availableMemory(), freeDiskBytes: fs.bavail * fs.bsize, diskPath: at };
}
