/** One installable component: how to tell it is there, and how to install it. */
export interface Installer {
  id: string;
  title: string;
  /** Pinned version, or the minimum accepted for toolchains. */
  version: string;
  detect(): Promise<Detection>;
  /** Absent for prerequisites windshear cannot install itself (then `fix` says how). */
  install?: (log: (line: string) => void) => Promise<void>;
  /** The exact command that fixes a missing component. */
  fix: string;
}

export interface Detection {
  ok: boolean;
  version?: string;
  path?: string;
  detail?: string;
}

export interface SetupReport {
  id: string;
  title: string;
  state: 'present' | 'installed' | 'failed' | 'missing';
  version?: string;
  path?: string;
  ms: number;
  detail?: string;
  fix?: string;
}
