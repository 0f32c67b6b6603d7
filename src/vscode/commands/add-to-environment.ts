// T-Env: Add to Environment (routed rows of an overlay, palette): runs workloads the overlay routes
// to its baseline in the overlay itself (adapters/overlay.ts addToOverlay: each one's workload,
// Services and config are copied, its routed Service replaced), with cancellable progress. A
// routed Service row adds the baseline's workloads behind that Service, as the adapter finds them
// in the baseline (addServicesToOverlay; the store does not watch the baseline's Services).
import * as vscode from 'vscode';
import { shortText } from '../../core/sanitize.ts';
import { RoutedNode } from '../environment-tree.ts';
import { pickEnvironment } from '../pick.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const addToEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  let env: string;
  let workloads: readonly string[];
  let service: string | undefined;
  if (arg instanceof RoutedNode) {
    env = arg.environment;
    service = arg.service;
    workloads = arg.workloads ?? [];
  } else {
    const picked = await pickEnvironment(ctx, arg, 'Overlay to add workloads of its baseline to', (e) => (e.overlay?.routedWorkloads.length ?? 0) > 0);
    if (!picked) return;
    if (!picked.overlay) throw new Error(`${picked.name} is not an overlay: it runs ${picked.baseline ? `a full copy of ${picked.baseline}` : 'no baseline'}.`);
    const baseline = picked.overlay.baseline;
    const chosen = await vscode.window.showQuickPick(picked.overlay.routedWorkloads.map((w) => ({ label: w, description: `→ ${shortText(baseline, 40)}` })),
      { title: `Add to ${picked.name}`, placeHolder: `Workloads of ${baseline} to run in ${picked.name}`, canPickMany: true });
    if (!chosen || chosen.length === 0) return;
    env = picked.name;
    workloads = chosen.map((c) => c.label);
  }
  const what = workloads.length > 0 ? shortText(workloads.join(', '), 120) : `the workloads behind ${shortText(service ?? '', 63)}`;
  const change = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Adding ${what} to ${env}`, cancellable: true }, (progress, token) => {
    const options = { signal: abortSignalFor(token), onProgress: (message: string) => progress.report({ message }) };
    return service !== undefined ? runtime().addServicesToOverlay(session, env, [service], options) : runtime().addToOverlay(session, env, workloads, options);
  });
  for (const s of change.skipped) ctx.log.info(`${env}: ${s}`);
  ctx.log.info(`Added ${change.workloads.join(', ') || 'nothing'} to ${env}: ${change.applied} objects applied, ${change.deleted.length} routed Services replaced.`);
  void vscode.window.showInformationMessage(change.workloads.length > 0
    ? `${change.workloads.join(', ')} now ${change.workloads.length === 1 ? 'runs' : 'run'} in ${env}.`
    : `Nothing added to ${env}: ${change.skipped.join('; ')}.`);
};
