import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Problem, WindshearError } from '../lib/errors.ts';
import { profileTopology, type Topology, type Profile as TopologyProfile } from '../system/topology.ts';
import { didYouMean } from './closest.ts';
import { displayPath, loadSloTables, SLO_DIR, sloIndex } from './load-slo.ts';
import { issuesToProblems, parseYaml } from './parse-yaml.ts';
import { PROFILE_NAMES, PROFILES, type ProfileName, profileScenarios } from './profiles.ts';
import { checkScenario, type LoadedSloRow, type Scenario } from './schema.ts';

/** The scenario catalogue: `scenarios/catalog/<name>.yaml`. */
export const CATALOG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'catalog');

export interface LoadedScenario {
  scenario: Scenario;
  /** File it came from, relative to the repo when inside it. */
  file: string;
  /** The SLO rows the scenario references, in its order. */
  slos: LoadedSloRow[];
}

export interface LoadOptions {
  catalogDir?: string;
  sloDir?: string;
  /**
   * The run profile the scenario is loaded for: its selectors must match that profile's topology.
   * Without it, they must match the topology of every profile that runs the scenario
   * (scenarioProfiles).
   */
  profile?: ProfileName;
}

export interface ParseOptions {
  /** The name catalogue files must carry (their file name). */
  expectName?: string;
  /** Topologies whose components, AZs and services the selectors must name (none: not checked). */
  topologies?: readonly Topology[];
}

/**
 * Run profiles a scenario is run in: the profiles whose scenario list holds a catalogue scenario
 * (`all` holds every one), plus those its `profiles:` overrides name; every profile for a file
 * outside the catalogue, which any of them may be asked to run.
 */
export function scenarioProfiles(
  name: string | undefined,
  catalogue: readonly string[] | null,
  overrides: readonly string[] = [],
): ProfileName[] {
  if (name === undefined || catalogue === null) return [...PROFILE_NAMES];
  return PROFILE_NAMES.filter((p) => profileScenarios(p, catalogue).includes(name) || overrides.includes(p));
}

/** The distinct topologies of run profiles (nightly and drill both bring up `full`). */
export function topologiesOf(profiles: readonly ProfileName[]): Topology[] {
  const kinds = [...new Set(profiles.map((p): TopologyProfile => PROFILES[p].topology))];
  return kinds.map(profileTopology);
}

/**
 * Pure: a scenario file's text to a Scenario, or every problem in it (syntax, shape, unknown SLO
 * ids, faults and selectors chaos/ cannot run, selectors naming what a topology does not have, a
 * timeline that does not fit).
 */
export function parseScenarioText(
  text: string,
  file: string,
  slos: ReadonlyMap<string, LoadedSloRow>,
  opts: ParseOptions = {},
): { loaded: LoadedScenario | null; problems: Problem[] } {
  const { expectName } = opts;
  const doc = parseYaml(text, file);
  if (doc.syntaxProblems.length > 0) return { loaded: null, problems: doc.syntaxProblems };
  const { scenario, issues } = checkScenario(doc.value, {
    sloIds: new Set(slos.keys()),
    ...(opts.topologies ? { topologies: opts.topologies } : {}),
  });
  const value = doc.value as { name?: unknown } | null;
  if (expectName !== undefined && typeof value?.name === 'string' && value.name !== expectName) {
    issues.push({
      code: 'scenario-name',
      path: ['name'],
      message: `a catalogue scenario is named after its file: expected "${expectName}", found "${value.name}"`,
      fix: `set name: ${expectName}, or rename the file to ${value.name}.yaml`,
    });
  }
  if (!scenario || issues.length > 0) return { loaded: null, problems: issuesToProblems(issues, doc) };
  return {
    loaded: { scenario, file, slos: scenario.slos.map((id) => slos.get(id)).filter((r) => r !== undefined) },
    problems: [],
  };
}

/** Names of the catalogue's scenarios, sorted. */
export async function catalogNames(dir: string = CATALOG_DIR): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -'.yaml'.length))
    .sort();
}

async function isFile(path: string): Promise<boolean> {
  return stat(path)
    .then((s) => s.isFile())
    .catch(() => false);
}

/** A catalogue name (`broker-loss`) or a path to its file, as an absolute path. */
async function resolveScenario(nameOrFile: string, catalogDir: string): Promise<string> {
  const looksLikePath = nameOrFile.includes('/') || /\.ya?ml$/.test(nameOrFile);
  if (looksLikePath) {
    const abs = resolve(nameOrFile);
    if (await isFile(abs)) return abs;
    throw new WindshearError({
      code: 'scenario-file',
      message: `no scenario file at ${nameOrFile}`,
      file: nameOrFile,
      fix: 'check the path, or name a catalogue scenario (windshear list)',
    });
  }
  const abs = join(catalogDir, `${nameOrFile}.yaml`);
  if (await isFile(abs)) return abs;
  const names = await catalogNames(catalogDir);
  throw new WindshearError({
    code: 'unknown-scenario',
    message: `no scenario named "${nameOrFile}" in the catalogue`,
    fix: `${didYouMean(nameOrFile, names)}scenarios: ${names.join(', ') || '(none)'}; or pass a path to a scenario file`,
  });
}

/**
 * Loads and validates one scenario by catalogue name or file path. Throws one WindshearError
 * (exit 254) carrying every problem, each with file, line, path and fix.
 */
export async function loadScenario(nameOrFile: string, opts: LoadOptions = {}): Promise<LoadedScenario> {
  const catalogDir = resolve(opts.catalogDir ?? CATALOG_DIR);
  const abs = await resolveScenario(nameOrFile, catalogDir);
  const slos = sloIndex(await loadSloTables(opts.sloDir ?? SLO_DIR));
  const inCatalog = resolve(dirname(abs)) === catalogDir;
  const name = inCatalog ? basename(abs, extname(abs)) : undefined;
  const text = await readFile(abs, 'utf8');
  const profiles = opts.profile
    ? [opts.profile]
    : scenarioProfiles(name, inCatalog ? await catalogNames(catalogDir) : null, overridesIn(text, abs));
  const { loaded, problems } = parseScenarioText(text, displayPath(abs), slos, {
    ...(name !== undefined ? { expectName: name } : {}),
    topologies: topologiesOf(profiles),
  });
  if (!loaded) throw new WindshearError(problems);
  return loaded;
}

/** Profile names under a scenario's `profiles:` key, read leniently (the schema checks it). */
function overridesIn(text: string, file: string): string[] {
  const value = parseYaml(text, file).value as { profiles?: unknown } | null;
  const p = value?.profiles;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? Object.keys(p) : [];
}

/**
 * Loads several scenarios (names or files) for one set of options before any of them runs; one
 * WindshearError with the problems of every broken one.
 */
export async function loadScenarios(
  namesOrFiles: readonly string[],
  opts: LoadOptions = {},
): Promise<LoadedScenario[]> {
  const out: LoadedScenario[] = [];
  const problems: Problem[] = [];
  for (const n of namesOrFiles) {
    try {
      out.push(await loadScenario(n, opts));
    } catch (e) {
      if (!(e instanceof WindshearError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new WindshearError(problems);
  return out;
}

/**
 * Loads the whole catalogue (each scenario for `opts.profile`, else for every profile that runs
 * it); one WindshearError with the problems of every broken file.
 */
export async function loadCatalog(opts: LoadOptions = {}): Promise<LoadedScenario[]> {
  const catalogDir = resolve(opts.catalogDir ?? CATALOG_DIR);
  const slos = sloIndex(await loadSloTables(opts.sloDir ?? SLO_DIR));
  const out: LoadedScenario[] = [];
  const problems: Problem[] = [];
  const names = await catalogNames(catalogDir);
  for (const name of names) {
    const abs = join(catalogDir, `${name}.yaml`);
    const text = await readFile(abs, 'utf8');
    const profiles = opts.profile ? [opts.profile] : scenarioProfiles(name, names, overridesIn(text, abs));
    const r = parseScenarioText(text, displayPath(abs), slos, {
      expectName: name,
      topologies: topologiesOf(profiles),
    });
    if (r.loaded) out.push(r.loaded);
    problems.push(...r.problems);
  }
  if (problems.length > 0) throw new WindshearError(problems);
  return out;
}
