// `t env plan|add|drop|changed`: overlay environments, which run only part of a baseline and route the rest
// to it (`t env create --from <b> --only …` lives with the other env commands).
import { planJson } from '../core/overlay-plan.ts';
import type { OverlayPlan, OverlayRequest } from '../core/overlay-plan.ts';
import { addToOverlay, baselineGitRef, changedRequest, changedServices, dropFromOverlay, planOverlayFrom } from '../adapters/overlay.ts';
import type { KubeSession } from '../adapters/kube.ts';
import type { OverlayChange } from '../adapters/overlay.ts';
import { stringOption, UsageError, withProgress } from './command.ts';
import type { Command, CommandContext, OptionSpec } from './command.ts';
import { session } from './env-commands.ts';

/** The options that choose an overlay's workloads, for `t env plan` and `t env create`. */
export const overlayOptions: Record<string, OptionSpec> = {
  only: { type: 'string', description: 'with --from: run only these workloads (and their callers from the entry points)', valueName: 'a,b' },
  changed: { type: 'boolean', description: 'with --from: run the okteto services whose code changed here (see "t env changed")' },
  with: { type: 'string', description: 'with --only/--changed: also run these workloads', valueName: 'a,b' },
  without: { type: 'string', description: 'with --only/--changed: route these workloads to the baseline even if on a path', valueName: 'a,b' },
  ...changeOptions(),
};

function changeOptions(): Record<string, OptionSpec> {
  return {
    base: { type: 'string', description: 'compare with this git ref (default: the baseline\'s t-env.dev/git-ref, else origin/main, else main)', valueName: 'ref' },
    file: { type: 'string', short: 'f', description: 'okteto manifest (default: okteto.yml, okteto.yaml, .okteto/okteto.yml, .okteto/okteto.yaml)', valueName: 'path' },
  };
}

function names(ctx: CommandContext, option: string): string[] | undefined {
  const value = stringOption(ctx, option);
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}

export type OverlayChoice = 'only' | 'changed' | undefined;

/** How the options choose an overlay's workloads (checked before anything is read), or undefined for a full copy. */
export function overlayChoice(ctx: CommandContext, command: string): OverlayChoice {
  const usage = `Usage: t ${command} --from <baseline> (--only a,b | --changed [--base <ref>] [-f <manifest>]) [--with c] [--without d]`;
  const only = ctx.values['only'] !== undefined;
  const changed = ctx.values['changed'] === true;
  if (only && changed) throw new UsageError('Pass --only or --changed, not both (add workloads with --with).', usage);
  if (!changed && (ctx.values['base'] !== undefined || ctx.values['file'] !== undefined)) throw new UsageError('--base and -f go with --changed.', usage);
  if (!only && !changed && (ctx.values['with'] !== undefined || ctx.values['without'] !== undefined)) throw new UsageError('--with and --without refine an overlay: they need --only or --changed.', usage);
  return only ? 'only' : changed ? 'changed' : undefined;
}

/** The overlay request of a choice; `--changed` asks git about the current folder. */
export async function overlayRequest(ctx: CommandContext, choice: OverlayChoice, s: KubeSession, baseline: string): Promise<OverlayRequest | undefined> {
  const extra = { with: names(ctx, 'with'), without: names(ctx, 'without') };
  if (choice === 'only') return { ...extra, only: names(ctx, 'only') };
  if (choice === 'changed') return changedRequest(s, baseline, { folder: process.cwd(), manifest: stringOption(ctx, 'file'), base: stringOption(ctx, 'base') }, extra, { signal: ctx.signal });
  return undefined;
}

/** The plan as lines: what runs and why, what is routed, what stays shared. */
export function planLines(plan: OverlayPlan): string[] {
  const width = Math.max(...plan.run.map((r) => r.name.length));
  return [
    ...plan.notWorkloads.map((n) => `note: ${n} changed but is no workload of ${plan.baseline}`),
    `Runs ${plan.run.length} workload${plan.run.length === 1 ? '' : 's'}:`,
    ...plan.run.map((r) => `  ${r.name.padEnd(width)}  ${r.reasons.join('; ')}`),
    plan.routed.length > 0 ? `Routed to ${plan.baseline}: ${plan.routed.join(', ')}` : `Routes nothing to ${plan.baseline}.`,
    ...plan.shared.map((s) => `  ${s.from} → ${s.to} (shared with ${plan.baseline}; add it with --with ${s.to})`),
  ];
}

function reportChange(ctx: CommandContext, change: OverlayChange, verb: string): void {
  if (ctx.out.json) { ctx.out.data(change); return; }
  for (const s of change.skipped) ctx.out.line(`skipped: ${s}`);
  for (const d of change.deleted) ctx.out.line(`deleted: ${d}`);
  if (change.workloads.length > 0) ctx.out.line(`${verb} ${change.workloads.join(', ')} (${change.applied} object${change.applied === 1 ? '' : 's'} applied).`);
}

const workloadArgs = (ctx: CommandContext): string[] => ctx.positionals.slice(1).flatMap((p) => p.split(',')).map((s) => s.trim()).filter(Boolean);

export const overlayCommands: Command[] = [
  {
    path: ['env', 'plan'],
    summary: 'Show what an overlay of a baseline would run (and why), route to the baseline and leave shared; changes nothing.',
    options: { from: { type: 'string', description: 'the baseline (see "t env baselines")', valueName: 'baseline' }, ...overlayOptions },
    async run(ctx) {
      const from = stringOption(ctx, 'from');
      const choice = overlayChoice(ctx, 'env plan');
      if (!from || !choice) throw new UsageError('t env plan needs --from and --only or --changed.', 'Usage: t env plan --from <baseline> (--only a,b | --changed) [--with c] [--without d] [--json]');
      const s = session(ctx);
      const result = await withProgress(ctx, `Reading ${from}…`, async () => planOverlayFrom(s, from, (await overlayRequest(ctx, choice, s, from))!, { signal: ctx.signal }));
      if (ctx.out.json) { ctx.out.data(planJson(result.plan)); return; }
      for (const w of result.warnings) ctx.out.line(`warning: ${w}`);
      for (const line of planLines(result.plan)) ctx.out.line(line);
    },
  },
  {
    path: ['env', 'changed'],
    summary: 'The okteto services whose code changed since the merge-base with the base ref (plus uncommitted and untracked files).',
    options: { ...changeOptions(), from: { type: 'string', description: 'take the default base ref from this baseline\'s t-env.dev/git-ref', valueName: 'baseline' } },
    async run(ctx) {
      const from = stringOption(ctx, 'from');
      const gitRef = from && stringOption(ctx, 'base') === undefined ? await baselineGitRef(session(ctx), from, { signal: ctx.signal }) : undefined;
      const changed = await changedServices({ folder: process.cwd(), manifest: stringOption(ctx, 'file'), base: stringOption(ctx, 'base') }, gitRef, { signal: ctx.signal });
      if (ctx.out.json) { ctx.out.data(changed); return; }
      ctx.out.line(`Changed since ${changed.base}:`);
      if (changed.services.length === 0) ctx.out.line('  no service');
      for (const s of changed.services) ctx.out.line(`  ${s.name}: ${s.files.join(', ')}`);
      if (changed.unmapped.length > 0) ctx.out.line(`In no service: ${changed.unmapped.join(', ')}`);
    },
  },
  {
    path: ['env', 'add'],
    summary: 'Run workloads of an overlay\'s baseline in the overlay (their routed Services become copies).',
    args: ['<env>', '<workload...>'],
    async run(ctx) {
      const [env] = ctx.positionals as [string];
      const change = await withProgress(ctx, `Adding to ${env}…`, (update) => addToOverlay(session(ctx), env, workloadArgs(ctx), { signal: ctx.signal, onProgress: update }));
      reportChange(ctx, change, `Added to ${env}:`);
    },
  },
  {
    path: ['env', 'drop'],
    summary: 'Route workloads of an overlay back to its baseline (their copies are deleted); refused in dev mode.',
    args: ['<env>', '<workload...>'],
    async run(ctx) {
      const [env] = ctx.positionals as [string];
      const change = await withProgress(ctx, `Dropping from ${env}…`, (update) => dropFromOverlay(session(ctx), env, workloadArgs(ctx), { signal: ctx.signal, onProgress: update }));
      reportChange(ctx, change, `Routed to ${change.baseline}:`);
    },
  },
];
