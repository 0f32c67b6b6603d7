// `t dev start|stop <service>`: Okteto dev mode from the terminal, `okteto up` in the foreground.
import { loadWorkspaceManifest, OktetoCli, oktetoRunFor, planDev, stopDevMode, wakeForDev } from '../adapters/dev-mode.ts';
import type { LoadedManifest } from '../adapters/dev-mode.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { addToOverlay, routedWorkload } from '../adapters/overlay.ts';
import { InvalidInputError } from '../core/errors.ts';
import { findDevService } from '../core/okteto-manifest.ts';
import { DEFAULT_MINIMUM_WAKE_HOURS } from '../core/sleep-plan.ts';
import { confirmOnTerminal, stringOption } from './command.ts';
import type { Command, CommandContext, OptionSpec } from './command.ts';
import { resolveEnvironment, session } from './env-commands.ts';

const devOptions: Record<string, OptionSpec> = {
  env: { type: 'string', short: 'e', description: 'environment (default: the only one you own)', valueName: 'name' },
  file: { type: 'string', short: 'f', description: 'okteto manifest (default: okteto.yml, okteto.yaml, .okteto/okteto.yml, .okteto/okteto.yaml)', valueName: 'path' },
  okteto: { type: 'string', description: 'okteto binary (default: $T_ENV_OKTETO_PATH, then PATH)', valueName: 'path' },
};

/**
 * Start Dev on a workload an overlay routes to its baseline: adds it to the overlay first, with
 * --add or after a yes on a terminal (t env add). Selector-based dev entries are matched as usual.
 */
async function addIfRouted(ctx: CommandContext, s: KubeSession, manifest: LoadedManifest, namespace: string): Promise<void> {
  const name = findDevService(manifest.manifest, ctx.positionals[0]!, manifest.displayName).name;
  const routed = await routedWorkload(s, namespace, name, { signal: ctx.signal });
  if (!routed) return;
  const what = `${name} runs in the baseline ${routed.baseline}, not in the overlay ${namespace}`;
  const add = ctx.values['add'] === true || await confirmOnTerminal(`${what}. Add it to ${namespace} first? [y/N] `, (answer) => /^y(es)?$/i.test(answer),
    { message: `${what}: dev mode needs it in the environment.`, hint: `Pass --add to add it first (as "t env add ${namespace} ${name}" does).` });
  if (!add) throw new InvalidInputError(`${what}; dev mode was not started.`, `Add it with "t env add ${namespace} ${name}" or pass --add.`);
  const progress = ctx.out.progress(`Adding ${name} to ${namespace}…`);
  try {
    await addToOverlay(s, namespace, [name], { signal: ctx.signal, onProgress: (t) => progress.update(t) });
  } finally {
    progress.done();
  }
  ctx.out.line(`Added ${name} to ${namespace}.`);
}

async function prepare(ctx: CommandContext, options: { addRouted?: boolean } = {}) {
  const s = session(ctx);
  const manifest = await loadWorkspaceManifest(process.cwd(), stringOption(ctx, 'file'));
  const namespace = await resolveEnvironment(ctx, s);
  // okteto is found before anything is added: a missing CLI changes nothing.
  const cli = await OktetoCli.locate(stringOption(ctx, 'okteto') ?? ctx.env['T_ENV_OKTETO_PATH'], ctx.env);
  if (options.addRouted) await addIfRouted(ctx, s, manifest, namespace);
  const plan = await planDev(s, { manifest, service: ctx.positionals[0]!, namespace });
  return { s, plan, cli };
}

export const devCommands: Command[] = [
  {
    path: ['dev', 'start'],
    summary: 'Put a service of your environment into Okteto dev mode (okteto up, in the foreground).',
    args: ['<service>'],
    options: { ...devOptions, add: { type: 'boolean', description: 'in an overlay: add the workload first if it is routed to the baseline' } },
    async run(ctx) {
      const { s, plan, cli } = await prepare(ctx, { addRouted: true });
      if (plan.asleep) {
        const progress = ctx.out.progress(`Waking ${plan.target.namespace} first…`);
        try {
          await wakeForDev(s, plan.target.namespace, { minimumHours: DEFAULT_MINIMUM_WAKE_HOURS, signal: ctx.signal, onProgress: (t) => progress.update(t) });
        } finally {
          progress.done();
        }
      }
      const run = await oktetoRunFor(plan);
      try {
        if (run.note) ctx.out.line(ctx.out.dim(run.note));
        ctx.out.line(ctx.out.dim(`$ ${[cli.path, ...cli.upArgs(run.target)].join(' ')}`));
        const result = await cli.runUpForeground(run.target, { signal: ctx.signal });
        return result.exitCode ?? (result.signal ? 130 : 1);
      } finally {
        await run.derived?.remove();
      }
    },
  },
  {
    path: ['dev', 'stop'],
    summary: 'End dev mode for a service (okteto down): the workload gets its replicas back.',
    args: ['<service>'],
    options: { ...devOptions, volumes: { type: 'boolean', short: 'v', description: 'also remove the dev volumes' } },
    async run(ctx) {
      const { s, plan, cli } = await prepare(ctx);
      const volumes = ctx.values['volumes'] === true;
      const progress = ctx.out.json ? undefined : ctx.out.progress(`Stopping dev mode for ${plan.service.name} in ${plan.target.namespace}…`);
      let result;
      try {
        result = await stopDevMode(s, cli, plan, { volumes, signal: ctx.signal, onProgress: (t) => progress?.update(t) });
      } catch (error) {
        progress?.done();
        throw error;
      }
      const volume = `${plan.service.name}-okteto`;
      progress?.done(`${plan.service.name} is out of dev mode${result.volume === 'kept' ? '' : volumes ? `; dev volume ${volume} removed` : ''}.`);
      if (result.volume === 'kept') ctx.out.line(`The dev volume ${volume} remains: ${result.volumeProblem ?? ''}`);
      if (ctx.out.json) {
        ctx.out.data({ service: plan.service.name, environment: plan.target.namespace, stopped: true, stoppedUp: result.up !== 'none', ...(volumes ? { volume: result.volume } : {}) });
      }
      return 0;
    },
  },
];
