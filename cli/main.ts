import { Command, CommanderError } from 'commander';
import { EXIT, formatProblems, WindshearError } from '../lib/errors.ts';
import { commands } from './commands/index.ts';

const program = new Command();
program
  .name('windshear')
  .description('Prove that the flight platform meets its SLOs while parts of it die.')
  .configureHelp({ helpWidth: 100 })
  .addHelpText(
    'after',
    '\nwindshear brings up a real three-AZ copy of the platform (Kafka, Redis + Sentinel,\n' +
      'PostgreSQL with failover, OpenSearch, HAProxy and the services), drives it with k6,\n' +
      'injects faults on a timeline and judges RTO, RPO, latency and lag against the seeds.\n\n' +
      'Start here:\n' +
      '  windshear setup                      install every component (idempotent, cached)\n' +
      '  windshear run-scenario broker-loss   run one scenario and print its verdict\n\n' +
      'Exit codes: 0 pass, 1 an SLO failed, 2 unknown (invalid run), 254 bad input, 255 internal error.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help') return 0;
    return EXIT.badInput;
  }
  if (err instanceof WindshearError) {
    process.stderr.write(`${formatProblems(err.problems)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(
    `internal error: ${message}\nThis is a bug in windshear; please report it with the command you ran.\n`,
  );
  return EXIT.internal;
}
