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
  const { plan, result } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stop Dev: ${picked.service}`, cancellable: true }, async (progress, token) => {
    const [plan, cli] = await Promise.all([
      rt.planDev(session, { manifest, service: picked.service, namespace: picked.namespace, known: ctx.connection.environment(picked.namespace) }),
      rt.OktetoCli.locate(config.oktetoPath()),
    ]);
    // Same manifest as Start Dev: okteto refuses platform sections on `down` too.
    const result = await rt.stopDevMode(session, cli, plan, { volumes, signal: abortSignalFor(token), onProgress: (message) => progress.report({ message }) });
    return { plan, result };
  });
  const name = plan.service.name;
  await ctx.devSessions.end(DevSessions.key(picked.namespace, name));
  if (result.up !== 'none') ctx.log.info(`Stopped the running okteto up of ${name} first (${result.up}).`);
  if (result.volume === 'kept') {
    ctx.log.warn(`The dev volume ${name}-okteto in ${picked.namespace} remains: ${result.volumeProblem ?? ''}`);
    void vscode.window.showWarningMessage(`${name} is out of dev mode in ${picked.namespace}, but its dev volume ${name}-okteto remains: ${result.volumeProblem ?? 'it could not be deleted'}.`);
    return;
  }
  ctx.log.info(`Stopped dev mode for ${name} in ${picked.namespace}${volumes ? ` (dev volume ${name}-okteto removed)` : ''}.`);
  void vscode.window.showInformationMessage(`${name} is out of dev mode in ${picked.namespace}${volumes ? `; its dev volume ${name}-okteto is removed` : ''}.`);
};
