// The `t` CLI's command table and argument parsing (Node's util.parseArgs), shared by every
// command file: help text, usage errors (exit 2) and the context every command runs with.
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { parseDurationMs } from '../core/duration.ts';
import { describeError, InvalidInputError, TEnvError } from '../core/errors.ts';
import type { Output } from './output.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  out: Output;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** e.g. ['env', 'ls'] */
  path: string[];
  summary: string;
  /** Positional arguments, e.g. '<name>'; a trailing '?' marks an optional one, a last '<x...>' takes the rest. */
  args?: string[];
  options?: Record<string, OptionSpec>;
  run(ctx: CommandContext): Promise<number | void>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  context: { type: 'string', description: 'kube context to use (default: the kubeconfig\'s current context)', valueName: 'name' },
  kubeconfig: { type: 'string', description: 'kubeconfig file(s), ":"-separated (default: $KUBECONFIG or ~/.kube/config)', valueName: 'path' },
  json: { type: 'boolean', description: 'print machine-readable JSON' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export class UsageError extends TEnvError {
  constructor(message: string, hint: string) {
    super('usage', message, { hint });
  }
}

export function parseCommand(command: Command, argv: string[]): Pick<CommandContext, 'values' | 'positionals'> {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  const config: Record<string, NonNullable<ParseArgsConfig['options']>[string]> = {};
  for (const [name, spec] of Object.entries(options)) {
    const { description: _d, valueName: _v, ...rest } = spec;
    config[name] = rest;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    const message = describeError(error).split('\n')[0]!;
    throw new UsageError(message.replace(/^Unknown option/, 'Unknown option'), `Run "t ${command.path.join(' ')} --help" for usage.`);
  }
  const values = parsed.values as CommandContext['values'];
  if (values['help']) return { values, positionals: parsed.positionals };
  const args = command.args ?? [];
  const required = args.filter((a) => !a.endsWith('?')).length;
  if (parsed.positionals.length < required) {
    throw new UsageError(`Missing argument ${args[parsed.positionals.length]!.replace(/\?$/, '')}.`, `Usage: t ${usageLine(command)}`);
  }
  if (parsed.positionals.length > args.length && !args.at(-1)?.endsWith('...>')) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[args.length]!}".`, `Usage: t ${usageLine(command)}`);
  }
  return { values, positionals: parsed.positionals };
}

export function usageLine(command: Command): string {
  const args = (command.args ?? []).map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : a));
  return [...command.path, ...args, command.options && Object.keys(command.options).length > 0 ? '[options]' : ''].filter(Boolean).join(' ');
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`;
    return `  ${flag.padEnd(32)} ${spec.description}`;
  });
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: t ${usageLine(command)}`, '', command.summary, ''];
  if (command.options && Object.keys(command.options).length > 0) lines.push('Options:', ...optionLines(command.options), '');
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n');
}

export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => usageLine(c).length)) + 2;
  return [
    `t ${version}: personal Kubernetes environments from the terminal (the T-Env CLI)`,
    '',
    'Usage: t <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${usageLine(c).padEnd(width)} ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '      --version                    print the version',
    '',
    'Exit codes: 0 success, 1 failure, 2 usage error. NO_COLOR disables colour.',
    'Run "t <command> --help" for a command\'s options.',
  ].join('\n');
}

/** Finds the command whose path is the longest prefix of argv. */
export function findCommand(commands: readonly Command[], argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((p, i) => argv[i] === p) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Longest duration any flag takes (a year and a day): beyond it a date would be meaningless or invalid. */
const MAX_DURATION_MS = 366 * 86_400_000;

/** Parses a duration like 90s, 15m, 4h, 1h30m, 2d. */
export function parseDuration(text: string, flag: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new UsageError(`Invalid duration "${text}" for --${flag}.`, 'Use forms like 90s, 15m, 4h or 1h30m.');
  if (ms > MAX_DURATION_MS) throw new UsageError(`The duration "${text}" for --${flag} is too long: at most 366 days.`, 'Use forms like 90s, 15m, 4h or 30d.');
  return ms;
}

/**
 * Asks on the terminal before a destructive step and says whether `accept` took the answer.
 * Without a terminal it refuses with `refusal` (whose hint names the flag that skips the question).
 */
export async function confirmOnTerminal(question: string, accept: (answer: string) => boolean, refusal: { message: string; hint: string }): Promise<boolean> {
  if (!process.stdin.isTTY) throw new InvalidInputError(refusal.message, refusal.hint);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return accept((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Runs `work` under a spinner (a plain line off a terminal; nothing with --json) that it may update; the spinner ends either way. */
export async function withProgress<T>(ctx: CommandContext, text: string, work: (update: (t: string) => void) => Promise<T>): Promise<T> {
  const progress = ctx.out.json ? undefined : ctx.out.progress(text);
  try {
    return await work((t) => progress?.update(t));
  } finally {
    progress?.done();
  }
}
