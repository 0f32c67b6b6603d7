// `t env plan|add|drop`: overlay environments, which run only part of a baseline and route the rest
// to it (`t env create --from <b> --only …` lives with the other env commands).
import { planJson } from '../core/overlay-plan.ts';
import type { OverlayPlan, OverlayRequest } from '../core/overlay-plan.ts';
import { addToOverlay, dropFromOverlay, planOverlayFrom } from '../adapters/overlay.ts';
import type { OverlayChange } from '../adapters/overlay.ts';
import { stringOption, UsageError } from './command.ts';
import type { Command, CommandContext, OptionSpec } from './command.ts';
import { session } from './env-commands.ts';

/** The options that choose an overlay's workloads, for `t env plan` and `t env create`. */
export const overlayOptions: Record<string, OptionSpec> = {
  only: { type: 'string', description: 'with --from: run only these workloads (and their callers from the entry points)', valueName: 'a,b' },
  with: { type: 'string', description: 'with --only: also run these workloads', valueName: 'a,b' },
  without: { type: 'string', description: 'with --only: route these workloads to the baseline even if on a path', valueName: 'a,b' },
};

function names(ctx: CommandContext, option: string): string[] | undefined {
  const value = stringOption(ctx, option);
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The overlay the options ask for, or undefined for a full copy; `--with`/`--without` need a choice. */
export function overlayRequest(ctx: CommandContext, command: string): OverlayRequest | undefined {
  const only = names(ctx, 'only');
  const request = { only, with: names(ctx, 'with'), without: names(ctx, 'without') };
  if (only === undefined) {
    if (request.with || request.without) throw new UsageError('--with and --without refine an overlay: they need --only.', `Usage: t ${command} --from <baseline> --only a,b [--with c] [--without d]`);
    return undefined;
  }
  return request;
}

/** The plan as lines: what runs and why, what is routed, what stays shared. */
export function planLines(plan: OverlayPlan): string[] {
  const width = Math.max(...plan.run.map((r) => r.name.length));
  return [
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
      const request = overlayRequest(ctx, 'env plan');
      if (!from || !request) throw new UsageError('t env plan needs --from and --only.', 'Usage: t env plan --from <baseline> --only a,b [--with c] [--without d] [--json]');
      const progress = ctx.out.json ? undefined : ctx.out.progress(`Reading ${from}…`);
      let result;
      try {
        result = await planOverlayFrom(session(ctx), from, request, { signal: ctx.signal });
      } finally {
        progress?.done();
      }
      if (ctx.out.json) { ctx.out.data(planJson(result.plan)); return; }
      for (const w of result.warnings) ctx.out.line(`warning: ${w}`);
      for (const line of planLines(result.plan)) ctx.out.line(line);
    },
  },
  {
    path: ['env', 'add'],
    summary: 'Run workloads of an overlay\'s baseline in the overlay (their routed Services become copies).',
    args: ['<env>', '<workload...>'],
    async run(ctx) {
      const [env] = ctx.positionals as [string];
      const progress = ctx.out.json ? undefined : ctx.out.progress(`Adding to ${env}…`);
      let change;
      try {
        change = await addToOverlay(session(ctx), env, workloadArgs(ctx), { signal: ctx.signal, onProgress: (t) => progress?.update(t) });
      } finally {
        progress?.done();
      }
      reportChange(ctx, change, `Added to ${env}:`);
    },
  },
  {
    path: ['env', 'drop'],
    summary: 'Route workloads of an overlay back to its baseline (their copies are deleted); refused in dev mode.',
    args: ['<env>', '<workload...>'],
    async run(ctx) {
      const [env] = ctx.positionals as [string];
      const progress = ctx.out.json ? undefined : ctx.out.progress(`Dropping from ${env}…`);
      let change;
      try {
        change = await dropFromOverlay(session(ctx), env, workloadArgs(ctx), { signal: ctx.signal, onProgress: (t) => progress?.update(t) });
      } finally {
        progress?.done();
      }
      reportChange(ctx, change, `Routed to ${change.baseline}:`);
    },
  },
];
