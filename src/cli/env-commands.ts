// `t env ls|create|delete`: environments from the terminal.
import os from 'node:os';
import { environmentJson, describeTransition, scheduleView } from '../core/environment-view.ts';
import { DEFAULT_AWAKE_HOURS, developerOwner, isVerifiablyMine } from '../core/environment.ts';
import { InvalidInputError } from '../core/errors.ts';
import { createEnvironment, deleteEnvironment, extendEnvironment, loadEnvironments, readEnvironmentNamespace, validateCreateInput, whoAmI } from '../adapters/environments.ts';
import { createFromBaseline } from '../adapters/baseline.ts';
import { loadKubeConfig } from '../adapters/kube.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { describeExpiry } from '../core/expiry.ts';
import { planJson } from '../core/overlay-plan.ts';
import { confirmOnTerminal, parseDuration, stringOption, UsageError, withProgress } from './command.ts';
import type { Command, CommandContext } from './command.ts';
import { reportCopy } from './baseline-commands.ts';
import { overlayChoice, overlayOptions, overlayRequest, planLines } from './overlay-commands.ts';

export function session(ctx: CommandContext): KubeSession {
  return loadKubeConfig({ context: stringOption(ctx, 'context'), kubeconfig: stringOption(ctx, 'kubeconfig') }, ctx.env);
}

/** The developer's owner label (the CLI has no `tenv.user` setting). */
export function me(env: NodeJS.ProcessEnv): string {
  return developerOwner(undefined, env['T_ENV_USER'], os.userInfo().username);
}

/** The environment a command acts on: --env (checked to be a T-Env environment), else the only one I own. */
export async function resolveEnvironment(ctx: CommandContext, s: KubeSession): Promise<string> {
  const given = stringOption(ctx, 'env');
  if (given) {
    await readEnvironmentNamespace(s, given);
    return given;
  }
  // Only environments created by my API identity count: an owner label anyone could have written
  // must not pick where `t dev start` syncs my workspace to (issue #17, M5).
  const [envs, username] = await Promise.all([loadEnvironments(s), whoAmI(s)]);
  // A terminating namespace is on its way out: it is nobody's "my environment" any more.
  const labelled = envs.filter((e) => e.owner === me(ctx.env) && e.state !== 'terminating');
  const mine = labelled.filter((e) => isVerifiablyMine(e, username)).map((e) => e.name);
  if (mine.length === 1) return mine[0]!;
  const unverified = labelled.filter((e) => !isVerifiablyMine(e, username)).map((e) => e.name);
  const note = unverified.length > 0 ? ` (${unverified.join(', ')} carry your owner label but were not created by you, ${username}; they are used only with --env)` : '';
  throw new InvalidInputError(mine.length === 0 ? `You own no environment in ${s.context}${note}.` : `You own several environments (${mine.join(', ')}).`, 'Pass --env <name>.');
}

export { DEFAULT_AWAKE_HOURS };

/** This machine's IANA time zone, for new environments. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export const envCommands: Command[] = [
  {
    path: ['env', 'ls'],
    summary: 'List your environments (all with --all): state, next sleep or wake, workloads.',
    options: { all: { type: 'boolean', short: 'a', description: 'show every developer\'s environments' } },
    async run(ctx) {
      const s = session(ctx);
      let envs = await withProgress(ctx, `Listing environments in ${s.context}…`, () => loadEnvironments(s));
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
        const next = scheduleView(e, now).follows ?? (json.problem ? `schedule problem: ${json.problem}` : describeTransition(json.next ? { action: json.next.action, at: new Date(json.next.at) } : undefined, e.timezone, now));
        const ready = e.workloads.filter((w) => w.kind !== 'CronJob');
        const expiry = describeExpiry(e.expiresAt, now);
        return [e.name, e.owner, e.state, `${ready.filter((w) => w.state === 'running' || w.state === 'dev').length}/${ready.length}`, expiry ? `${next}; ${expiry}` : next];
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
      ttl: { type: 'string', description: 'time to live (e.g. 4h, 2d): the sleeper deletes it then', valueName: 'duration' },
      from: { type: 'string', description: 'copy the application from this baseline (see "t env baselines")', valueName: 'baseline' },
      strict: { type: 'boolean', description: 'with --from: fail on an unreadable kind or a refused object' },
      ...overlayOptions,
    },
    async run(ctx) {
      const ttl = stringOption(ctx, 'ttl');
      const input = validateCreateInput({
        ttlMs: ttl === undefined ? undefined : parseDuration(ttl, 'ttl'),
        name: ctx.positionals[0]!,
        owner: stringOption(ctx, 'owner') ?? me(ctx.env),
        timezone: stringOption(ctx, 'timezone') ?? localTimeZone(),
        awakeHours: stringOption(ctx, 'awake-hours') ?? DEFAULT_AWAKE_HOURS,
      });
      const from = stringOption(ctx, 'from');
      const choice = overlayChoice(ctx, 'env create <name>');
      if (choice && !from) throw new UsageError(`--${choice} makes an overlay of a baseline: it needs --from.`, 'Usage: t env create <name> --from <baseline> (--only a,b | --changed)');
      const s = session(ctx);
      if (from) {
        const overlay = await overlayRequest(ctx, choice, s, from);
        const result = await withProgress(ctx, `Creating ${input.name} from ${from}…`,
          (update) => createFromBaseline(s, { ...input, baseline: from, overlay }, { signal: ctx.signal, onProgress: update, strict: ctx.values['strict'] === true }));
        if (ctx.out.json) {
          ctx.out.data({ name: input.name, owner: input.owner, timezone: input.timezone, awakeHours: input.awakeHours, expiresAt: result.expiresAt ?? null, context: s.context, baseline: from, applied: result.applied, rejected: result.rejected, warnings: result.warnings, ...(result.plan ? { plan: planJson(result.plan) } : {}) });
          return result.rejected.length > 0 ? 1 : 0;
        }
        reportCopy(ctx, result);
        if (result.plan) for (const line of planLines(result.plan)) ctx.out.line(line);
        ctx.out.line(`Created ${result.plan ? 'overlay' : 'environment'} ${ctx.out.bold(input.name)} from ${from} (${result.applied} objects; owner ${input.owner}, ${input.timezone}, awake ${input.awakeHours}${result.expiresAt ? `, expires ${result.expiresAt}` : ''}) in ${s.context}.`);
        return result.rejected.length > 0 ? 1 : 0;
      }
      const { expiresAt } = await createEnvironment(s, input);
      if (ctx.out.json) ctx.out.data({ name: input.name, owner: input.owner, timezone: input.timezone, awakeHours: input.awakeHours, expiresAt: expiresAt ?? null, context: s.context });
      else ctx.out.line(`Created environment ${ctx.out.bold(input.name)} (owner ${input.owner}, ${input.timezone}, awake ${input.awakeHours}${expiresAt ? `, expires ${expiresAt}` : ''}) in ${s.context}.`);
      return 0;
    },
  },
  {
    path: ['env', 'extend'],
    summary: 'Give an environment a time to live, or move it: it now expires --ttl from now.',
    args: ['<name>'],
    options: { ttl: { type: 'string', description: 'time to live from now (e.g. 2h, 1d)', valueName: 'duration' } },
    async run(ctx) {
      const ttl = stringOption(ctx, 'ttl');
      if (ttl === undefined) throw new UsageError('Missing --ttl.', 'Example: t env extend <name> --ttl 2h');
      const name = ctx.positionals[0]!;
      const { expiresAt } = await extendEnvironment(session(ctx), name, parseDuration(ttl, 'ttl'));
      if (ctx.out.json) ctx.out.data({ name, expiresAt });
      else ctx.out.line(`${name} now expires at ${expiresAt} (${describeExpiry(expiresAt, new Date()) ?? ''}).`);
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
        const confirmed = await confirmOnTerminal(`Delete environment "${name}" in ${s.context} and everything in it? Type its name to confirm: `, (answer) => answer === name,
          { message: `Refusing to delete "${name}" without confirmation.`, hint: 'Pass --yes to delete without a prompt.' });
        if (!confirmed) {
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
