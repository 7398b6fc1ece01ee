/** Exit codes, as architecture.md defines them. */
export const EXIT = {
  pass: 0,
  fail: 1,
  unknown: 2,
  badInput: 254,
  internal: 255,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One problem with the user's input or environment; `fix` names the next step. */
export interface Problem {
  /** Stable, kebab-case code, e.g. `scenario-schema`, `port-taken`. */
  code: string;
  message: string;
  /** File the problem is in, when there is one. */
  file?: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** Path inside the document, e.g. `faults[1].selector`. */
  path?: string;
  fix?: string;
}

/**
 * Errors are data: a stable code, every problem at once, and an exit code. The CLI prints
 * `problems` and exits with `exitCode`; nothing that throws a WindshearError shows a stack trace.
 */
export class WindshearError extends Error {
  readonly problems: Problem[];
  readonly exitCode: ExitCode;

  constructor(problems: Problem | Problem[], exitCode: ExitCode = EXIT.badInput) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((p) => p.message).join('; '));
    this.name = 'WindshearError';
    this.problems = list;
    this.exitCode = exitCode;
  }
}

export function badInput(code: string, message: string, fix?: string): WindshearError {
  return new WindshearError({ code, message, ...(fix ? { fix } : {}) }, EXIT.badInput);
}

export function internal(code: string, message: string, fix?: string): WindshearError {
  return new WindshearError({ code, message, ...(fix ? { fix } : {}) }, EXIT.internal);
}

/** Renders problems for a terminal: one block per problem, location first. */
export function formatProblems(problems: Problem[]): string {
  return problems
    .map((p) => {
      const where = [p.file && (p.line ? `${p.file}:${p.line}` : p.file), p.path]
        .filter(Boolean)
        .join(' at ');
      const head = where ? `${where}: ${p.message}` : p.message;
      return `error[${p.code}] ${head}${p.fix ? `\n  fix: ${p.fix}` : ''}`;
    })
    .join('\n');
}
