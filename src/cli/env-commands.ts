// `t env ls|create|delete`: environments from the terminal.
import os from 'node:os';
import readline from 'node:readline/promises';
import { environmentJson, describeTransition } from '../core/environment-view.ts';
import { ownerLabel } from '../core/environment.ts';
import { InvalidInputError } from '../core/errors.ts';
import { createEnvironment, deleteEnvironment, loadEnvironments, readEnvironmentNamespace, validateCreateInput } from '../adapters/environments.ts';
import { createFromBaseline } from '../adapters/baseline.ts';
import { loadKubeConfig } from '../adapters/kube.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { stringOption } from './command.ts';
import type { Command, CommandContext } from './command.ts';
import { reportCopy } from './baseline-commands.ts';

export function session(ctx: CommandContext): KubeSession {
  return loadKubeConfig({ context: stringOption(ctx, 'context'), kubeconfig: stringOption(ctx, 'kubeconfig') }, ctx.env);
}

/** The developer's name: $T_ENV_USER, else the OS user name (the extension's setting mirrors it). */
export function me(env: NodeJS.ProcessEnv): string {
  return ownerLabel(env['T_ENV_USER'] || os.userInfo().username);
}

/** The environment a command acts on: --env (checked to be a T-Env environment), else the only one I own. */
export async function resolveEnvironment(ctx: CommandContext, s: KubeSession): Promise<string> {
  const given = stringOption(ctx, 'env');
  if (given) {
    await readEnvironmentNamespace(s, given);
    return given;
  }
  const mine = (await loadEnvironments(s)).filter((e) => e.owner === me(ctx.env)).map((e) => e.name);
  if (mine.length === 1) return mine[0]!;
  throw new InvalidInputError(mine.length === 0 ? `You own no environment in ${s.context}.` : `You own several environments (${mine.join(', ')}).`, 'Pass --env <name>.');
}

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export const envCommands: Command[] = [
  {
    path: ['env', 'ls'],
    summary: 'List your environments (all with --all): state, next sleep or wake, workloads.',
    options: { all: { type: 'boolean', short: 'a', description: 'show every developer\'s environments' } },
    async run(ctx) {
      const s = session(ctx);
      const progress = ctx.out.json ? undefined : ctx.out.progress(`Listing environments in ${s.context}…`);
      let envs;
      try {
        envs = await loadEnvironments(s);
      } finally {
        progress?.done();
      }
      const mine = me(ctx.env);
      if (!ctx.values['all']) envs = envs.filter((e) => e.owner === mine);
      const now = new Date();
      if (ctx.out.json) {
        ctx.out.data(envs.map((e) => environmentJson(e, now)));
        return;
      }
      if (envs.length === 0) {
        ctx.out.line(ctx.values['all'] ? 'No environments in this cluster.' : `No environments owned by ${mine}. Create one with "t env create <name>" or list all with --all.`);
        return;
      }
      const rows = envs.map((e) => {
        const json = environmentJson(e, now);
        const next = json.problem ? `schedule problem: ${json.problem}` : describeTransition(json.next ? { action: json.next.action, at: new Date(json.next.at) } : undefined, e.timezone, now);
        const ready = e.workloads.filter((w) => w.kind !== 'CronJob');
        return [e.name, e.owner, e.state, `${ready.filter((w) => w.state === 'running' || w.state === 'dev').length}/${ready.length}`, next];
      });
      const header = ['NAME', 'OWNER', 'STATE', 'RUNNING', 'NEXT'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
      ctx.out.line(ctx.out.bold(fmt(header)));
      for (const r of rows) ctx.out.line(fmt(r));
    },
  },
  {
    path: ['env', 'create'],
    summary: 'Create an environment: a namespace labelled as yours, with a time zone and awake hours.',
    args: ['<name>'],
    options: {
      owner: { type: 'string', description: 'owner (default: $T_ENV_USER or your OS user name)', valueName: 'user' },
      timezone: { type: 'string', description: 'IANA time zone (default: this machine\'s)', valueName: 'zone' },
      'awake-hours': { type: 'string', description: 'awake hours, e.g. "Mon-Fri 08:00-20:00" or "always"', valueName: 'spec' },
      from: { type: 'string', description: 'copy the application from this baseline (see "t env baselines")', valueName: 'baseline' },
      strict: { type: 'boolean', description: 'with --from: fail on an unreadable kind or a refused object' },
    },
    async run(ctx) {
      const input = validateCreateInput({
        name: ctx.positionals[0]!,
        owner: stringOption(ctx, 'owner') ?? me(ctx.env),
        timezone: stringOption(ctx, 'timezone') ?? localTimeZone(),
        awakeHours: stringOption(ctx, 'awake-hours') ?? 'Mon-Fri 08:00-20:00',
      });
      const s = session(ctx);
      const from = stringOption(ctx, 'from');
      if (from) {
        const progress = ctx.out.json ? undefined : ctx.out.progress(`Creating ${input.name} from ${from}…`);
        let result;
        try {
          result = await createFromBaseline(s, { ...input, baseline: from }, { signal: ctx.signal, onProgress: (t) => progress?.update(t), strict: ctx.values['strict'] === true });
        } finally {
          progress?.done();
        }
        if (ctx.out.json) {
          ctx.out.data({ name: input.name, owner: input.owner, timezone: input.timezone, awakeHours: input.awakeHours, context: s.context, baseline: from, applied: result.applied, rejected: result.rejected, warnings: result.warnings });
          return result.rejected.length > 0 ? 1 : 0;
        }
        reportCopy(ctx, result);
        ctx.out.line(`Created environment ${ctx.out.bold(input.name)} from ${from} (${result.applied} objects; owner ${input.owner}, ${input.timezone}, awake ${input.awakeHours}) in ${s.context}.`);
        return result.rejected.length > 0 ? 1 : 0;
      }
      await createEnvironment(s, input);
      if (ctx.out.json) ctx.out.data({ name: input.name, owner: input.owner, timezone: input.timezone, awakeHours: input.awakeHours, context: s.context });
      else ctx.out.line(`Created environment ${ctx.out.bold(input.name)} (owner ${input.owner}, ${input.timezone}, awake ${input.awakeHours}) in ${s.context}.`);
      return 0;
    },
  },
  {
    path: ['env', 'delete'],
    summary: 'Delete an environment and everything in it (asks first unless --yes).',
    args: ['<name>'],
    options: { yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' } },
    async run(ctx) {
      const name = ctx.positionals[0]!;
      const s = session(ctx);
      if (!ctx.values['yes']) {
        if (!process.stdin.isTTY) throw new InvalidInputError(`Refusing to delete "${name}" without confirmation.`, 'Pass --yes to delete without a prompt.');
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Delete environment "${name}" in ${s.context} and everything in it? Type its name to confirm: `);
        rl.close();
        if (answer.trim() !== name) {
          ctx.out.line('Not deleted.');
          return 1;
        }
      }
      const progress = ctx.out.json ? undefined : ctx.out.progress(`Deleting environment ${name}…`);
      try {
        await deleteEnvironment(s, name, { signal: ctx.signal, onProgress: (t) => progress?.update(t) });
      } catch (error) {
        progress?.done();
        throw error;
      }
      progress?.done(`Deleted environment ${name}.`);
      if (ctx.out.json) ctx.out.data({ name, deleted: true });
      return 0;
    },
  },
];
