// T-Env: Remove from Environment (workloads of an overlay, palette): routes a workload back to the
// baseline (adapters/overlay.ts dropFromOverlay: its copy is deleted, its Services become routed
// ones; refused in dev mode), after a modal that says what is deleted.
import * as vscode from 'vscode';
import { shortText } from '../../core/sanitize.ts';
import { pickWorkload } from '../pick.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const removeFromEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const picked = await pickWorkload(ctx, arg, 'Workload to route back to the baseline');
  if (!picked) return;
  const { env, workload } = picked;
  if (!env.overlay) throw new Error(`${env.name} is not an overlay: Remove from Environment routes a workload of an overlay back to its baseline.`);
  const baseline = shortText(env.overlay.baseline, 40);
  const answer = await vscode.window.showWarningMessage(`Remove ${workload.name} from ${env.name}?`, {
    modal: true, detail: `Its copy in ${env.name} (workload, Services and config no other workload there uses) is deleted; calls to it reach ${baseline} again.`,
  }, 'Remove');
  if (answer !== 'Remove') return;
  const change = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Routing ${workload.name} to ${baseline}`, cancellable: true }, (progress, token) =>
    runtime().dropFromOverlay(session, env.name, [workload.name], { signal: abortSignalFor(token), onProgress: (message) => progress.report({ message }) }));
  for (const s of change.skipped) ctx.log.info(`${env.name}: ${s}`);
  ctx.log.info(`Routed ${change.workloads.join(', ') || 'nothing'} of ${env.name} to ${change.baseline}: deleted ${change.deleted.join(', ') || 'nothing'}.`);
};
