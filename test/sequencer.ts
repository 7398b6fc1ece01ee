import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Integration files run in name order, so `zz-*.it.test.ts` (which takes the shared stack down
 * and checks nothing remains) runs after every test that uses the stack.
 */
export class NameOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}
