// Resolving what Start/Stop Dev act on: the workspace's manifest, the environment and the service.
import * as vscode from 'vscode';
import { InvalidInputError, isTEnvError, TEnvError } from '../core/errors.ts';
import type { DevService } from '../core/okteto-manifest.ts';
import { shortText } from '../core/sanitize.ts';
import type { KubeSession } from '../adapters/kube.ts';
import type { LoadedManifest } from '../adapters/dev-mode.ts';
import { config } from './config.ts';
import { PodNode, RoutedNode, WorkloadNode } from './environment-tree.ts';
import { pickEnvironment } from './pick.ts';
import { abortSignalFor } from './progress.ts';
import { runtime } from './runtime-loader.ts';
import type { TEnvContext } from './tenv-context.ts';

/** Dev mode runs the manifest's commands: never in Restricted Mode. */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new TEnvError('untrusted', `${action} is disabled in Restricted Mode: the okteto manifest can run commands on your machine and in the cluster.`, {
      hint: 'Trust this workspace to use dev mode.', actions: ['trust'],
    });
  }
}

export async function workspaceManifest(): Promise<{ folder: string; manifest: LoadedManifest }> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new TEnvError('no-folder', 'Open the folder that holds your okteto manifest first.', { actions: [] });
  const errors: unknown[] = [];
  for (const folder of folders) {
    try {
      return { folder: folder.uri.fsPath, manifest: await runtime().loadWorkspaceManifest(folder.uri.fsPath, config.manifestPath()) };
    } catch (error) {
      // A malformed manifest is the answer; "not found" in one folder may be found in the next.
      if (!(isTEnvError(error) && error.kind === 'not-found')) throw error;
      errors.push(error);
    }
  }
  throw errors[0] instanceof Error ? errors[0] : new Error('No okteto manifest found.');
}

/**
 * Environment and dev entry (its key, what `okteto up` takes): from a tree workload (the entry
 * that takes it over by name, `name:` or selector, as okteto does), else quick picks.
 */
export async function pickDevTarget(ctx: TEnvContext, arg: unknown, manifest: LoadedManifest, onlyDevMode: boolean): Promise<{ namespace: string; service: string } | undefined> {
  if (arg instanceof RoutedNode) {
    // A routed Service row whose workloads the store does not know (or knows none of): the
    // baseline says, or says why there is nothing to develop (lists only).
    const workloads = arg.workloads?.length ? arg.workloads
      : (await runtime().workloadsBehindServices(await ctx.connection.requireSession(), arg.environment, [arg.service ?? ''])).workloads;
    const entry = await routedDevEntry(manifest, workloads);
    return entry ? { namespace: arg.environment, service: entry.key } : undefined;
  }
  const node = arg instanceof WorkloadNode ? { namespace: arg.environment, workload: arg.info.name }
    : arg instanceof PodNode ? { namespace: arg.environment, workload: arg.workload.name } : undefined;
  if (node) {
    const entry = await runtime().devServiceForWorkloadIn(await ctx.connection.requireSession(), manifest, node.namespace, node.workload, ctx.connection.environment(node.namespace));
    return { namespace: node.namespace, service: entry.key };
  }
  const env = await pickEnvironment(ctx, typeof arg === 'string' ? arg : undefined, onlyDevMode ? 'Environment with the service in dev mode' : 'Environment to develop in');
  if (!env) return undefined;
  const session = await ctx.connection.requireSession();
  const services = await runtime().servicesInEnvironment(session, manifest, env.name, env);
  const devMode = new Set(env.workloads.filter((w) => w.devMode).map((w) => w.name));
  // In an overlay, entries named after a routed workload are offered too: Start Dev adds it first.
  const routed = onlyDevMode || !env.overlay ? [] : manifest.manifest.dev
    .filter((d) => !d.selector && env.overlay?.routedWorkloads.includes(d.name) && !services.some((s) => s.service.key === d.key))
    .map((service) => ({ service, workload: { kind: 'Deployment', name: service.name }, routedTo: env.overlay?.baseline }));
  const choices = [...services.filter((s) => !onlyDevMode || devMode.has(s.workload.name)).map((s) => ({ ...s, routedTo: undefined })), ...routed];
  if (choices.length === 0) {
    throw new TEnvError('no-service', onlyDevMode
      ? `No service of ${manifest.displayName} is in dev mode in ${env.name}.`
      : `None of the dev services in ${manifest.displayName} (${manifest.manifest.dev.map((d) => d.key).join(', ')}) has a Deployment or StatefulSet in ${env.name}.`, {});
  }
  const picked = choices.length === 1 ? choices[0] : (await vscode.window.showQuickPick(choices.map((s) => ({
    label: s.service.key,
    description: s.routedTo ? `→ ${s.routedTo} (added to ${env.name} first)`
      : [s.workload.name === s.service.key ? '' : `${s.workload.kind} ${s.workload.name}`, devMode.has(s.workload.name) ? 'in dev mode' : (s.service.image ?? '')].filter(Boolean).join(' · '),
    s,
  })), { placeHolder: onlyDevMode ? 'Service to stop' : 'Service to develop' }))?.s;
  return picked ? { namespace: env.name, service: picked.service.key } : undefined;
}

/**
 * The dev entry that takes over one of the routed workloads by name (a selector cannot be matched:
 * the workload is not here); a quick pick when several of them have one (undefined when dismissed).
 */
async function routedDevEntry(manifest: LoadedManifest, workloads: readonly string[]): Promise<DevService | undefined> {
  const found = manifest.manifest.dev.filter((d) => !d.selector && workloads.includes(d.name));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) return (await vscode.window.showQuickPick(found.map((d) => ({ label: d.key, d })), { placeHolder: 'Service to develop' }))?.d;
  const names = workloads.map((w) => `"${shortText(w, 63)}"`).join(' or ');
  throw new InvalidInputError(`${manifest.displayName}: no dev entry is named ${names}.`, `Add a dev entry named ${names} to ${manifest.displayName}.`);
}

/**
 * Start Dev on a workload that an overlay routes to its baseline: asks (modal) to add it to the
 * overlay first. `declined` when the developer says no; `added` when it was added (the store has
 * not seen the copy yet: read the environment afresh); `not-routed` when there was nothing to add.
 */
export async function addRoutedFirst(ctx: TEnvContext, session: KubeSession, namespace: string, service: string, manifest: LoadedManifest): Promise<'declined' | 'added' | 'not-routed'> {
  const name = manifest.manifest.dev.find((d) => d.key === service)?.name ?? service;
  const env = ctx.connection.environment(namespace);
  // The store knows what an overlay routes when it watches the baseline too; else ask the cluster.
  const routed = env && (env.baseline === undefined || env.overlay)
    ? (env.overlay?.routedWorkloads.includes(name) ? { baseline: env.overlay.baseline } : undefined)
    : await runtime().routedWorkload(session, namespace, name);
  if (!routed) return 'not-routed';
  const answer = await vscode.window.showInformationMessage(`${name} runs in the baseline ${shortText(routed.baseline, 40)}, not in ${namespace}. Add it to ${namespace} first?`, {
    modal: true, detail: 'Dev mode takes over a workload of the environment: Add to Environment copies it (with its Services and config) from the baseline, then dev mode starts as usual.',
  }, 'Add and Start Dev');
  if (answer !== 'Add and Start Dev') return 'declined';
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Adding ${name} to ${namespace}`, cancellable: true }, (progress, token) =>
    runtime().addToOverlay(session, namespace, [name], { signal: abortSignalFor(token), onProgress: (message) => progress.report({ message }) }));
  ctx.log.info(`Added ${name} to ${namespace} for Start Dev.`);
  return 'added';
}
