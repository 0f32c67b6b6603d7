// T-Env: Stop Logs — ends a workload's log streams (the channel keeps what it has).
import * as vscode from 'vscode';
import { pickWorkload } from '../pick.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const stopLogs: CommandFactory = (ctx) => async (arg?: unknown) => {
  const context = ctx.connection.session?.context ?? '';
  const target = await pickWorkload(ctx, arg, 'Workload whose logs to stop', (w) => ctx.logChannels.isStreaming({ context, namespace: w.namespace, kind: w.kind, name: w.name }));
  if (!target) return;
  if (!(await ctx.logChannels.stop({ context, namespace: target.env.name, kind: target.workload.kind, name: target.workload.name }))) {
    void vscode.window.showInformationMessage(`The logs of ${target.env.name}/${target.workload.name} are not being followed.`);
  }
};
