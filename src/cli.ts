// The `t` command: parses arguments, runs one command over the shared core and adapters, prints
// text or --json. Exit codes: 0 ok, 1 failure, 2 usage error.
import pkg from '../package.json' with { type: 'json' };
import { describeError, isCancelled } from './core/errors.ts';
import { commandHelp, findCommand, mainHelp, parseCommand, UsageError } from './cli/command.ts';
import type { Command } from './cli/command.ts';
import { createOutput } from './cli/output.ts';
import { baselineCommands } from './cli/baseline-commands.ts';
import { overlayCommands } from './cli/overlay-commands.ts';
import { envCommands } from './cli/env-commands.ts';
import { scheduleCommands } from './cli/schedule-commands.ts';
import { eventsCommand } from './cli/events-command.ts';
import { sleepCommands } from './cli/sleep-commands.ts';
import { reportCommand } from './cli/report-command.ts';
import { devCommands } from './cli/dev-commands.ts';
import { logsCommand } from './cli/logs-command.ts';
import { mcpCommand } from './cli/mcp-command.ts';

export const commands: Command[] = [...envCommands, ...baselineCommands, ...overlayCommands, eventsCommand, ...sleepCommands, reportCommand, ...devCommands, logsCommand, ...scheduleCommands, mcpCommand];

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json');
  const out = createOutput({ json, env });
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out.line(mainHelp(commands, pkg.version));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
    out.line(pkg.version);
    return 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      out.line(group.map((c) => commandHelp(c)).join('\n\n'));
      return argv.length === 1 ? 2 : 0;
    }
    const what = group.length > 0 ? `${argv[0]} ${argv[1] ?? ''}`.trim() : argv[0]!;
    out.error(new UsageError(`Unknown command "${what}".`, 'Run "t --help" for the list of commands.'));
    return 2;
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { values, positionals } = parseCommand(found.command, found.rest);
    if (values['help']) {
      out.line(commandHelp(found.command));
      return 0;
    }
    const code = await found.command.run({ values, positionals, out, signal: controller.signal, env });
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    if (isCancelled(error) || controller.signal.aborted) {
      out.error(new Error('Cancelled.'));
      return 130;
    }
    out.error(error);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Run when executed (the bundle or `node src/cli.ts`), not when imported by tests.
if (process.argv[1] && /(^|[\\/])(cli\.(js|ts)|t)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = 1;
  });
}
