// T-Env: Show Events — recent warning events of an environment or workload, in a quick pick.
import * as vscode from 'vscode';
import { recentWarnings } from '../../core/environment.ts';
import type { WarningInfo } from '../../core/environment.ts';
import { WorkloadNode } from '../environment-tree.ts';
import { pickEnvironment } from '../pick.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const showEvents: CommandFactory = (ctx) => async (arg?: unknown) => {
  let title: string;
  let warnings: WarningInfo[];
  if (arg instanceof WorkloadNode) {
    const env = ctx.connection.environment(arg.environment);
    const workload = env?.workloads.find((w) => w.kind === arg.info.kind && w.name === arg.info.name) ?? arg.info;
    title = `Warnings of ${arg.environment}/${workload.name}`;
    warnings = workload.warnings;
  } else {
    const env = await pickEnvironment(ctx, arg, 'Environment whose events to show');
    if (!env) return;
    title = `Warnings in ${env.name}`;
    warnings = env.workloads.flatMap((w) => w.warnings);
  }
  const recent = recentWarnings(warnings, new Date());
  if (recent.length === 0) {
    void vscode.window.showInformationMessage(`${title}: none in the last hour.`);
    return;
  }
  await vscode.window.showQuickPick(recent.map((w) => ({
    label: `$(warning) ${w.reason}`, description: `${w.object} · ×${w.count} · ${new Date(w.lastSeen).toLocaleTimeString()}`, detail: w.message,
  })), { title, matchOnDescription: true, matchOnDetail: true });
};
