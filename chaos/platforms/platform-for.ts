import { badInput, type WindshearError } from '../../lib/errors.ts';
import type { LocalPlatformOptions } from './local/local-platform.ts';
import { PLATFORM_NAMES, type Platform, type PlatformName } from './platform.ts';

/** Options every platform understands, plus each platform's own. */
export interface PlatformOptions {
  /** Start the services of system/ (default: when system/main.ts exists). */
  services?: boolean;
  local?: Omit<LocalPlatformOptions, 'services'>;
}

/** Platforms with a driver in this checkout; the others are refused with the fix. */
export const BUILT_PLATFORMS: readonly PlatformName[] = ['local', 'compose'];

/** `--platform`, else WINDSHEAR_PLATFORM, else local. */
export function defaultPlatformName(env: NodeJS.ProcessEnv = process.env): string {
  return env.WINDSHEAR_PLATFORM || 'local';
}

function notBuilt(name: PlatformName): WindshearError {
  return badInput(
    'platform-not-built',
    `the ${name} platform is not built yet: this checkout has a driver only for ${BUILT_PLATFORMS.join(', ')}`,
    `use --platform local (the default; unset WINDSHEAR_PLATFORM if it says ${name})`,
  );
}

/** The platform called `name`, or bad input (254) naming the ones there are. Pure. */
export function parsePlatformName(name: string): PlatformName {
  const found = PLATFORM_NAMES.find((n) => n === name);
  if (!found)
    throw badInput(
      'platform-unknown',
      `unknown platform "${name}" (known: ${PLATFORM_NAMES.join(', ')})`,
      `use --platform ${BUILT_PLATFORMS.join(' or --platform ')} (or set WINDSHEAR_PLATFORM to it)`,
    );
  if (!BUILT_PLATFORMS.includes(found)) throw notBuilt(found);
  return found;
}

/**
 * The only place a platform is constructed. Drivers load on use, so `--help` and the commands
 * that need no platform do not load them (nor their clients).
 */
export async function platformFor(
  name: string = defaultPlatformName(),
  opts: PlatformOptions = {},
): Promise<Platform> {
  const platform = parsePlatformName(name);
  switch (platform) {
    case 'local': {
      const { LocalPlatform } = await import('./local/local-platform.ts');
      return new LocalPlatform({
        ...opts.local,
        ...(opts.services !== undefined ? { services: opts.services } : {}),
      });
    }
    case 'compose': {
      const { ComposePlatform } = await import('./compose/compose-platform.ts');
      return new ComposePlatform();
    }
    default:
      throw notBuilt(platform);
  }
}
