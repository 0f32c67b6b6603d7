// T-Env: Delete Environment — only T-Env namespaces, after a confirmation naming it, with progress.
import * as vscode from 'vscode';
import { pickEnvironment } from '../pick.ts';
import { runtime } from '../runtime-loader.ts';
import { abortSignalFor } from '../progress.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const deleteEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const env = await pickEnvironment(ctx, arg, 'Environment to delete');
  if (!env) return;
  const answer = await vscode.window.showWarningMessage(
    `Delete environment "${env.name}" (owner ${env.owner || 'unknown'}) in ${session.context}? Every workload, pod and volume in it is removed.`,
    { modal: true }, 'Delete',
  );
  if (answer !== 'Delete') return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deleting environment ${env.name}`, cancellable: true }, async (progress, token) => {
    await runtime().deleteEnvironment(session, env.name, { signal: abortSignalFor(token), onProgress: (message) => progress.report({ message }) });
  });
  ctx.log.info(`Deleted environment ${env.name}.`);
  void vscode.window.showInformationMessage(`Environment ${env.name} deleted.`);
};
