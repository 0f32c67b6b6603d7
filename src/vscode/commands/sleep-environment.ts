// T-Env: Sleep Environment — now, until its next scheduled wake; counts are kept for the wake.
import * as vscode from 'vscode';
import { pickEnvironment } from '../pick.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const sleepEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const env = await pickEnvironment(ctx, arg, 'Environment to put to sleep');
  if (!env) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Putting ${env.name} to sleep`, cancellable: true }, async (progress, token) => {
    const result = await runtime().sleepEnvironment(session, env.name, { signal: abortSignalFor(token), actor: { via: 'VS Code' }, onProgress: (message) => progress.report({ message }) });
    for (const p of result.problems) ctx.log.warn(`${env.name}: ${p}`);
    ctx.log.info(`${env.name} asleep: ${result.changed} workloads changed, ${result.skipped.length} left alone.`);
    if (result.problems.length > 0) {
      void vscode.window.showWarningMessage(`${env.name} is asleep, with problems: ${result.problems.join('; ')}`, 'Show Log').then((b) => b && ctx.log.show(true));
    }
  });
};
