// `t env diff|refresh|reset` and `t env baselines`: environments against the baseline they were
// created from (`t env create --from` lives with the other env commands).
import { diffJson } from '../core/baseline-diff.ts';
import { baselineSleepText } from '../core/baseline-sleep.ts';
import { diffEnvironment, listBaselines, refreshEnvironment, resetDeletes, resetEnvironment } from '../adapters/baseline.ts';
import type { CopyResult, RefreshResult } from '../adapters/baseline.ts';
import { confirmOnTerminal, withProgress } from './command.ts';
import type { Command, CommandContext } from './command.ts';
import { session } from './env-commands.ts';

/** Warnings and refusals of a copy, one line each (names only: never an object's content). */
export function reportCopy(ctx: CommandContext, result: CopyResult): void {
  for (const w of result.warnings) ctx.out.line(`warning: ${w}`);
  for (const r of result.rejected) ctx.out.line(`refused: ${r.kind}/${r.name}: ${r.message}`);
}

function reportRefresh(ctx: CommandContext, result: RefreshResult, verb: string): void {
  if (ctx.out.json) {
    ctx.out.data({ environment: result.environment, baseline: result.baseline, applied: result.applied, skipped: result.skipped, deleted: result.deleted, rejected: result.rejected, warnings: result.warnings });
    return;
  }
  reportCopy(ctx, result);
  for (const s of result.skipped) ctx.out.line(`skipped: ${s}`);
  for (const d of result.deleted) ctx.out.line(`deleted: ${d}`);
  ctx.out.line(result.applied === 0 && result.deleted.length === 0
    ? `${result.environment} is up to date with ${result.baseline}${result.skipped.length ? ' (except what was skipped)' : ''}.`
    : `${verb} ${result.environment} from ${result.baseline}: ${result.applied} object${result.applied === 1 ? '' : 's'} applied${result.deleted.length ? `, ${result.deleted.length} deleted` : ''}.`);
}

export const baselineCommands: Command[] = [
  {
    path: ['env', 'baselines'],
    summary: 'List the baselines (namespaces labelled t-env.dev/baseline=true) environments can be created from.',
    async run(ctx) {
      const baselines = await listBaselines(session(ctx));
      if (ctx.out.json) { ctx.out.data(baselines); return; }
      if (baselines.length === 0) ctx.out.line('No baselines. Label the namespace CI/CD deploys main into: kubectl label namespace <name> t-env.dev/baseline=true');
      for (const b of baselines) {
        const sleep = baselineSleepText(b.name, b.awakeHours) ?? (b.awakeHours ? `awake ${b.awakeHours}` : '');
        ctx.out.line([b.name, b.gitRef ? `(${b.gitRef})` : '', sleep].filter(Boolean).join('  '));
      }
    },
  },
  {
    path: ['env', 'diff'],
    summary: 'Compare an environment with its baseline: in-sync, behind, changed-here, only-in-baseline, only-here.',
    args: ['<name>'],
    async run(ctx) {
      const name = ctx.positionals[0]!;
      const diff = await withProgress(ctx, `Comparing ${name} with its baseline…`, () => diffEnvironment(session(ctx), name, { signal: ctx.signal }));
      const json = diffJson(diff.environment, diff.baseline, diff.entries);
      if (ctx.out.json) { ctx.out.data(json); return; }
      for (const w of diff.warnings) ctx.out.line(`warning: ${w}`);
      ctx.out.line(ctx.out.bold(`${name} ← ${diff.baseline}${diff.asleep ? ' (asleep)' : ''}`));
      for (const o of json.objects) {
        ctx.out.line(`${o.status.padEnd(16)} ${o.kind}/${o.name}${o.image ? `  ${o.image.from} → ${o.image.to}` : ''}`);
      }
    },
  },
  {
    path: ['env', 'refresh'],
    summary: 'Bring behind objects up to the baseline and add new ones (never dev mode, never deletes, never wakes).',
    args: ['<name>'],
    options: {
      only: { type: 'string', description: 'only these objects (comma-separated names)', valueName: 'name,...' },
      force: { type: 'boolean', description: 'also overwrite objects changed here (never those in dev mode)' },
      strict: { type: 'boolean', description: 'fail on an unreadable kind or a refused object' },
    },
    async run(ctx) {
      const name = ctx.positionals[0]!;
      const only = typeof ctx.values['only'] === 'string' ? ctx.values['only'].split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const result = await withProgress(ctx, `Updating ${name} from its baseline…`, (update) => refreshEnvironment(session(ctx), name, { only, force: ctx.values['force'] === true },
        { signal: ctx.signal, onProgress: update, strict: ctx.values['strict'] === true }));
      reportRefresh(ctx, result, 'Updated');
      return result.rejected.length > 0 ? 1 : 0;
    },
  },
  {
    path: ['env', 'reset'],
    summary: 'Refresh --force, then delete the copies the baseline no longer has (asks first unless --yes).',
    args: ['<name>'],
    options: { yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' } },
    async run(ctx) {
      const name = ctx.positionals[0]!;
      const s = session(ctx);
      if (!ctx.values['yes']) {
        const deletes = resetDeletes(await diffEnvironment(s, name, { signal: ctx.signal }));
        const what = `Reset "${name}" to its baseline: overwrite what was changed here${deletes.length ? ` and delete ${deletes.join(', ')}` : ''}`;
        const confirmed = await confirmOnTerminal(`${what}? [y/N] `, (answer) => /^y(es)?$/i.test(answer),
          { message: `Refusing to ${what[0]!.toLowerCase()}${what.slice(1)} without confirmation.`, hint: 'Pass --yes to reset without a prompt.' });
        if (!confirmed) { ctx.out.line('Not reset.'); return 1; }
      }
      const result = await withProgress(ctx, `Resetting ${name}…`, (update) => resetEnvironment(s, name, { signal: ctx.signal, onProgress: update }));
      reportRefresh(ctx, result, 'Reset');
      return result.rejected.length > 0 ? 1 : 0;
    },
  },
];
