// T-Env: Wake Environment (also the status-bar Wake button): restore the recorded replicas, keep
// it awake until the next scheduled sleep, and report done when the pods are ready.
import * as vscode from 'vscode';
import { config } from '../config.ts';
import { pickEnvironment } from '../pick.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const wakeEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const env = await pickEnvironment(ctx, arg, 'Environment to wake');
  if (!env) return;
  ctx.statusBar.setWaking(env.name);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Waking ${env.name}`, cancellable: true }, async (progress, token) => {
      const signal = abortSignalFor(token);
      const rt = runtime();
      // The store already holds the namespace and its workloads: the wake writes without reading them again.
      const result = await rt.wakeEnvironment(session, env.name, {
        minimumHours: config.wakeMinimumHours(), signal, actor: { via: 'VS Code', user: await ctx.connection.username().catch(() => undefined) },
        known: ctx.connection.known(env.name), onProgress: (message) => progress.report({ message }),
      });
      for (const p of result.problems) ctx.log.warn(`${env.name}: ${p}`);
      ctx.log.info(`Woke ${env.name}: ${result.changed} workloads restored, awake until ${result.awakeUntil}.`);
      if (result.baseline) ctx.log.info(`Woke its baseline ${result.baseline.name} too (awake-hours auto): ${result.baseline.changed} workloads restored.`);
      progress.report({ message: 'waiting for pods to be ready…' });
      await rt.waitUntilReady(session, env.name, { signal, source: ctx.connection.readiness(env.name), waking: result.changedWorkloads, onProgress: (message) => progress.report({ message }) });
      if (result.problems.length > 0) {
        void vscode.window.showWarningMessage(`${env.name} is awake, with problems: ${result.problems.join('; ')}`, 'Show Log').then((b) => b && ctx.log.show(true));
      } else {
        const baseline = result.baseline ? `, and so is its baseline ${result.baseline.name}` : '';
        void vscode.window.showInformationMessage(`${env.name} is awake until ${new Date(result.awakeUntil).toLocaleString()}${baseline}.`);
      }
    });
  } finally {
    ctx.statusBar.setWaking(undefined);
  }
};
