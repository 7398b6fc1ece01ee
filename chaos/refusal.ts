import { badInput, type WindshearError } from '../lib/errors.ts';

/**
 * Why a fault will not be injected. A refusal is decided before anything changes: when one is
 * returned, no platform action has run.
 */
export interface Refusal {
  refused: true;
  /** Stable kebab-case code, e.g. `selector-matched-nothing`, `target-outside-topology`. */
  code: string;
  message: string;
  /** The next step for the user. */
  fix: string;
}

export function refusal(code: string, message: string, fix: string): Refusal {
  return { refused: true, code, message, fix };
}

export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && (x as { refused?: unknown }).refused === true;
}

/** Refusals are bad input (exit 254): the fault, selector or platform does not fit. */
export function refusalError(r: Refusal): WindshearError {
  return badInput(r.code, r.message, r.fix);
}
