// Create Environment's "Only what I changed": the overlay plan for the git changes of the
// workspace folder that holds the okteto manifest (adapters/overlay.ts changedServices and
// planOverlayFrom), shown as a quick pick with every member checked; what stays checked becomes
// the overlay request (core/overlay-view.ts). git runs only in a trusted workspace, as VS Code's
// own git does (adapters/git.ts also overrides the settings known to run a checkout's programs).
import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors.ts';
import type { OverlayRequest } from '../core/overlay-plan.ts';
import { pickedRequest, planPickItems } from '../core/overlay-view.ts';
import { shortText } from '../core/sanitize.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { config } from './config.ts';
import { requireTrust, workspaceManifest } from './dev-target.ts';
import { abortSignalFor } from './progress.ts';
import { runtime } from './runtime-loader.ts';
import type { TEnvContext } from './tenv-context.ts';

/** The overlay request the developer confirmed, or undefined when they cancelled. */
export async function pickChangedOverlay(ctx: TEnvContext, session: KubeSession, baseline: { name: string; gitRef: string | undefined }): Promise<OverlayRequest | undefined> {
  requireTrust('"Only what I changed"');
  const { folder } = await workspaceManifest();
  const planned = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Planning an overlay of ${baseline.name}`, cancellable: true }, async (progress, token) => {
    const signal = abortSignalFor(token);
    progress.report({ message: 'asking git what changed…' });
    const changed = await runtime().changedServices({ folder, manifest: config.manifestPath() || undefined }, baseline.gitRef, { signal });
    if (changed.services.length === 0) {
      throw new InvalidInputError(`Nothing changed since ${changed.base} in the services of ${folder}${changed.unmapped.length > 0 ? ` (${changed.unmapped.length} changed files lie in no service's build context or sync path)` : ''}.`,
        'Change a service\'s code (or commit on a branch), or create a full copy instead.');
    }
    progress.report({ message: `reading ${baseline.name}…` });
    const files = new Map(changed.services.map((s) => [s.name, s.files]));
    const result = await runtime().planOverlayFrom(session, baseline.name, { changed: files }, { signal });
    return { ...result, files, base: changed.base };
  });
  for (const w of planned.warnings) ctx.log.warn(`plan of ${baseline.name}: ${w}`);
  const workloads = ctx.connection.baselines().find((b) => b.name === baseline.name)?.workloads.map((w) => w.name) ?? [];
  const items = planPickItems(planned.plan, workloads);
  const picked = await vscode.window.showQuickPick(items.map((i) => ({ label: i.name, description: i.detail, picked: i.picked })), {
    title: `Only what I changed (since ${shortText(planned.base, 40)}): runs ${planned.plan.run.length} of ${Math.max(items.length, planned.plan.run.length)} workloads of ${baseline.name}`,
    placeHolder: `Checked workloads run in the new environment; the rest are reached in ${baseline.name}`, canPickMany: true, ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  return pickedRequest(planned.plan, planned.files, picked.map((p) => p.label));
}
