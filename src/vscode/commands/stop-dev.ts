// T-Env: Stop Dev — `okteto down` (optionally removing volumes): the workload gets its replicas back.
import * as vscode from 'vscode';
import { config } from '../config.ts';
import { DevSessions } from '../dev-sessions.ts';
import { pickDevTarget, requireTrust, workspaceManifest } from '../dev-target.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const stopDev: CommandFactory = (ctx) => async (arg?: unknown, removeVolumes?: unknown) => {
  requireTrust('Stop Dev');
  const session = await ctx.connection.requireSession();
  const { manifest } = await workspaceManifest();
  const picked = await pickDevTarget(ctx, arg, manifest, true);
  if (!picked) return;
  let volumes = removeVolumes === true;
  if (removeVolumes === undefined) {
    const choice = await vscode.window.showQuickPick([
      { label: 'Stop Dev', description: 'keep the dev volumes for next time', volumes: false },
      { label: 'Stop Dev and remove volumes', volumes: true },
    ], { placeHolder: `Stop dev mode for ${picked.service} in ${picked.namespace}` });
    if (!choice) return;
    volumes = choice.volumes;
  }
  const rt = runtime();
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stop Dev: ${picked.service}`, cancellable: true }, async (progress, token) => {
    const [plan, cli] = await Promise.all([
      rt.planDev(session, { manifest, service: picked.service, namespace: picked.namespace }),
      rt.OktetoCli.locate(config.oktetoPath()),
    ]);
    progress.report({ message: 'okteto down…' });
    await cli.down(plan.target, { volumes, signal: abortSignalFor(token) });
  });
  await ctx.devSessions.end(DevSessions.key(picked.namespace, picked.service));
  ctx.log.info(`Stopped dev mode for ${picked.service} in ${picked.namespace}${volumes ? ' (volumes removed)' : ''}.`);
  void vscode.window.showInformationMessage(`${picked.service} is out of dev mode in ${picked.namespace}.`);
};
