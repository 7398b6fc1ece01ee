import { Option } from 'commander';

/** Flags of every command that acts on a stack. */
export interface PlatformFlag {
  platform: string;
}

/**
 * `--platform local|compose`, default WINDSHEAR_PLATFORM, else local. Validated by
 * `platformFor` (exit 254 with the names there are), not by commander, so the error names the fix.
 */
export function platformOption(): Option {
  return new Option(
    '--platform <name>',
    'where the stack runs: local (processes on this machine) or compose (Docker Compose containers)',
  )
    .env('WINDSHEAR_PLATFORM')
    .default('local');
}
