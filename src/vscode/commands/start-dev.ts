// T-Env: Start Dev — `okteto up` for a service, in a terminal the developer types into, with the
// state file's progress in the status bar. Wakes the environment first; in an overlay, a workload
// routed to the baseline is added first (after a modal).
import * as vscode from 'vscode';
import { config } from '../config.ts';
import { confirmDevTarget } from '../confirm-ownership.ts';
import { addRoutedFirst, pickDevTarget, requireTrust, workspaceManifest } from '../dev-target.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';

export const startDev: CommandFactory = (ctx) => async (arg?: unknown) => {
  requireTrust('Start Dev');
  const session = await ctx.connection.requireSession();
  const { folder, manifest } = await workspaceManifest();
  const picked = await pickDevTarget(ctx, arg, manifest, false);
  if (!picked || !(await confirmDevTarget(ctx, picked.namespace))) return;
  const rt = runtime();
  // okteto is found before a routed workload is added: a missing CLI changes nothing (as `t dev start --add`).
  const cli = await rt.OktetoCli.locate(config.oktetoPath());
  const routed = await addRoutedFirst(ctx, session, picked.namespace, picked.service, manifest);
  if (routed === 'declined') return;
  // The live store's view of the environment, unless a workload was just added that it may not have seen yet.
  const known = routed === 'added' ? undefined : ctx.connection.environment(picked.namespace);
  const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Start Dev: ${picked.service}`, cancellable: true }, async (progress, token) => {
    const signal = abortSignalFor(token);
    progress.report({ message: 'checking the manifest…' });
    const planned = await rt.planDev(session, { manifest, service: picked.service, namespace: picked.namespace, known });
    if (planned.asleep) {
      await rt.wakeForDev(session, picked.namespace, {
        minimumHours: config.wakeMinimumHours(), signal, onProgress: (message) => progress.report({ message }), user: await ctx.connection.username().catch(() => undefined),
        ...(known ? { known: ctx.connection.known(picked.namespace), source: ctx.connection.readiness(picked.namespace) } : {}),
      });
    }
    return planned;
  });
  // Sessions are keyed by the dev name (okteto's state folder), which `name:` may set.
  const existing = ctx.devSessions.get(plan.target.namespace, plan.service.name);
  if (existing?.terminal) {
    existing.terminal.show();
    return;
  }
  const run = await rt.oktetoRunFor(plan);
  if (run.note) ctx.log.info(run.note);
  const args = cli.upArgs(run.target);
  const cwd = run.target.cwd ?? folder;
  ctx.log.info(`Running ${[cli.path, ...args].join(' ')} in ${cwd}`);
  // The arguments go to okteto as an array: no shell parses them.
  const terminal = vscode.window.createTerminal({
    name: `okteto up: ${plan.service.name}`, shellPath: cli.path, shellArgs: args, cwd,
    env: { ...cli.processEnv(), OKTETO_ORIGIN: 'vscode' }, iconPath: new vscode.ThemeIcon('vm-connect'),
  });
  terminal.show();
  await ctx.devSessions.track({
    namespace: plan.target.namespace, service: plan.service.name, terminal, fresh: true, timeoutMs: config.devStartTimeoutSeconds() * 1000,
    ...(run.derived ? { onEnd: async () => { await run.derived?.remove(); ctx.log.info(`Removed the derived okteto manifest ${run.derived?.path ?? ''}.`); } } : {}),
  });
};
