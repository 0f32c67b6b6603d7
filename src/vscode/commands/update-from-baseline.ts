// T-Env: Update from Baseline (environment and workload context menus, palette): refresh an
// environment (or one workload) from its baseline with cancellable progress. The refresh rules
// hold (core/baseline-diff.ts): workloads in dev mode are never touched, objects changed here are
// left alone unless the user picks Force in a modal that names them, nothing is deleted, and an
// asleep environment stays asleep.
import * as vscode from 'vscode';
import { forceCandidates } from '../../core/baseline-view.ts';
import { shortText } from '../../core/sanitize.ts';
import { WorkloadNode } from '../environment-tree.ts';
import { pickEnvironment } from '../pick.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

const MAX_NAMED = 10;

export const updateFromBaseline: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const env = await pickEnvironment(ctx, arg, 'Environment to update from its baseline', (e) => e.baseline !== undefined);
  if (!env) return;
  const only = arg instanceof WorkloadNode ? [arg.info.name] : undefined;
  const what = only ? `${only[0]} in ${env.name}` : env.name;
  const progressOf = (title: string) => ({ location: vscode.ProgressLocation.Notification, title, cancellable: true });
  const diff = await vscode.window.withProgress(progressOf(`Comparing ${what} with its baseline…`), (_progress, token) =>
    runtime().diffEnvironment(session, env.name, { signal: abortSignalFor(token) }));
  let force = false;
  const changedHere = forceCandidates(diff.entries, only).map((e) => shortText(`${e.kind}/${e.name}`));
  if (changedHere.length > 0) {
    const named = changedHere.slice(0, MAX_NAMED).join(', ') + (changedHere.length > MAX_NAMED ? ` and ${changedHere.length - MAX_NAMED} more` : '');
    const answer = await vscode.window.showWarningMessage(
      `${changedHere.length === 1 ? 'One object was' : `${changedHere.length} objects were`} changed in ${env.name} since the copy from ${shortText(diff.baseline)}: ${named}.`,
      { modal: true, detail: 'Force overwrites them with the baseline\'s version. Keep Mine updates everything else and leaves them as they are. Workloads in dev mode are never touched.' },
      'Keep Mine', 'Force',
    );
    if (answer === undefined) return;
    force = answer === 'Force';
  }
  const result = await vscode.window.withProgress(progressOf(`Updating ${what} from ${shortText(diff.baseline)}`), (progress, token) =>
    runtime().refreshEnvironment(session, env.name, { only, force }, { signal: abortSignalFor(token), onProgress: (message) => progress.report({ message }) }));
  for (const line of [...result.skipped, ...result.warnings]) ctx.log.info(`${env.name}: ${line}`);
  for (const r of result.rejected) ctx.log.warn(`${diff.baseline} → ${env.name}: the cluster refused ${r.kind}/${r.name}: ${r.message}`);
  ctx.log.info(`Updated ${what} from ${diff.baseline}: ${result.applied} objects applied, ${result.skipped.length} left alone, ${result.rejected.length} refused.`);
  const left = result.skipped.length > 0 ? ` ${result.skipped.length} left alone (see the T-Env log).` : '';
  if (result.rejected.length + result.warnings.length > 0) {
    const refused = result.rejected.map((r) => `${r.kind}/${r.name}`).join(', ');
    void vscode.window.showWarningMessage(`${what}: ${result.applied} objects updated from ${shortText(diff.baseline)}.${refused ? ` The cluster refused ${shortText(refused, 200)}.` : ''} ${result.warnings.join(' ')}${left}`, 'Show Log')
      .then((b) => b && ctx.log.show(true));
  } else if (result.applied === 0) {
    void vscode.window.showInformationMessage(`${what} is up to date with ${shortText(diff.baseline)}.${left}`);
  } else {
    void vscode.window.showInformationMessage(`${what}: ${result.applied} objects updated from ${shortText(diff.baseline)}.${left}`);
  }
};
