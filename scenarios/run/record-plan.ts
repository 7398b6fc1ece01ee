import type { RunPlan } from '../../lib/run-format.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { createRunDir, writeRunJson } from '../../lib/run-store/write-run-file.ts';
import { runDirFor } from '../run-dir.ts';
import type { Scenario } from '../schema.ts';

/** Stage: create the run directory with scenario.json and plan.json; returns its path. */
export async function recordPlan(
  scenario: Scenario,
  plan: RunPlan,
  outDir: string | undefined,
): Promise<string> {
  const runDir = outDir ?? runDirFor(scenario.name);
  await createRunDir(runDir);
  await writeRunJson(runDir, RUN_FILES.scenario, scenario);
  await writeRunJson(runDir, RUN_FILES.plan, plan);
  return runDir;
}
