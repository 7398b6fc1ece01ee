import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Integration files share one stack, so their order matters: files that only use it first (by
 * name), then files that inject faults or run scenarios (they heal, but roles may have moved:
 * a promoted Redis replica stays primary), then `zz-*` (takes the stack down, checks nothing
 * remains). Unit files keep name order too.
 */
const rank = (id: string) =>
  /\/zz-[^/]*$/.test(id) ? 2 : /(faults|run-scenario|net-delay)[^/]*\.it\.test\.ts$/.test(id) ? 1 : 0;

export class NameOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort(
      (a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId),
    );
  }
}
