// T-Env: Create Environment — from a baseline (a full copy, or "only what I changed": an overlay,
// see changed-overlay.ts) or empty, then name, owner, time zone, awake hours; validated before any
// request. A copy from a baseline shows cancellable "n of m objects" progress.
// "Create My Environment" (welcome view, walkthrough: argument `{ "mine": true }`) is the same
// with me as the owner, and the baseline preselected when the cluster has exactly one.
import * as vscode from 'vscode';
import { checkEnvironmentName } from '../../core/environment.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { describeError } from '../../core/errors.ts';
import type { OverlayRequest } from '../../core/overlay-plan.ts';
import { SleepSchedule, validateTimeZone } from '../../core/schedule.ts';
import { pickChangedOverlay } from '../changed-overlay.ts';
import { config } from '../config.ts';
import { abortSignalFor } from '../progress.ts';
import { runtime } from '../runtime-loader.ts';
import type { CommandFactory } from '../tenv-context.ts';
import { checkTtl } from './extend-environment.ts';

function check(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/** The welcome view's and walkthrough's argument: `[{"mine":true}]` in a command link. */
function isMine(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && (arg as { mine?: unknown }).mine === true;
}

export const createEnvironment: CommandFactory = (ctx) => async (arg?: unknown) => {
  const session = await ctx.connection.requireSession();
  const me = ctx.connection.me();
  const mine = isMine(arg);
  const baselines = await runtime().listBaselines(session);
  let baseline: string | undefined;
  let overlay: OverlayRequest | undefined;
  if (mine && baselines.length === 1) {
    baseline = baselines[0]!.name;
  } else if (baselines.length > 0) {
    const picked = await vscode.window.showQuickPick([
      ...baselines.flatMap((b) => [
        { label: b.name, description: b.gitRef ? `baseline · ${b.gitRef}` : 'baseline', detail: 'A full copy', baseline: b, changed: false },
        { label: `${b.name}: only what I changed`, description: 'overlay', detail: `The services changed in this workspace and their callers; the rest is reached in ${b.name}`, baseline: b, changed: true },
      ]),
      { label: 'empty', description: 'an empty environment', baseline: undefined, changed: false },
    ], { title: 'Create Environment: start from', placeHolder: 'A working copy of a baseline, only what you changed, or an empty namespace' });
    if (picked === undefined) return;
    baseline = picked.baseline?.name;
    if (picked.changed && picked.baseline) {
      overlay = await pickChangedOverlay(ctx, session, picked.baseline);
      if (!overlay) return;
    }
  }
  const name = await vscode.window.showInputBox({
    title: baseline ? `Create Environment from ${baseline} (1/5)` : 'Create Environment (1/5)', prompt: 'Environment name (a namespace: lowercase letters, digits, "-")', value: `${me}-dev`,
    validateInput: (v) => checkEnvironmentName(v.trim()),
  });
  if (name === undefined) return;
  const owner = mine ? me : await vscode.window.showInputBox({ title: 'Create Environment (2/5)', prompt: 'Owner', value: me, validateInput: (v) => (v.trim() ? undefined : 'The owner is empty.') });
  if (owner === undefined) return;
  const timezone = await vscode.window.showInputBox({
    title: 'Create Environment (3/5)', prompt: 'Time zone of the owner (IANA, e.g. Europe/Berlin)',
    value: config.defaultTimeZone() || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    validateInput: (v) => check(() => validateTimeZone(v.trim())),
  });
  if (timezone === undefined) return;
  const awakeHours = await vscode.window.showInputBox({
    title: 'Create Environment (4/5)', prompt: 'Awake hours, e.g. "Mon-Fri 08:00-20:00" or "always"', value: config.defaultAwakeHours(),
    validateInput: (v) => check(() => SleepSchedule.parse(v.trim())),
  });
  if (awakeHours === undefined) return;
  const ttl = await vscode.window.showInputBox({
    title: 'Create Environment (5/5)', prompt: 'Time to live, e.g. 4h or 2d: the sleeper deletes it then. Empty: it stays until deleted.', value: '',
    validateInput: (v) => (v.trim() === '' ? undefined : checkTtl(v)),
  });
  if (ttl === undefined) return;
  const ttlMs = ttl.trim() === '' ? undefined : parseDurationMs(ttl.trim());
  const input = { name: name.trim(), owner: owner.trim(), timezone: timezone.trim(), awakeHours: awakeHours.trim(), ttlMs };
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Creating environment ${input.name}…`, cancellable: baseline !== undefined }, async (progress, token) => {
    if (baseline === undefined) { await runtime().createEnvironment(session, input); return; }
    const result = await runtime().createFromBaseline(session, { ...input, baseline, overlay }, { signal: abortSignalFor(token), onProgress: (message) => progress.report({ message }) });
    for (const w of result.warnings) ctx.log.warn(w);
    for (const r of result.rejected) ctx.log.warn(`${baseline} → ${input.name}: the cluster refused ${r.kind}/${r.name}: ${r.message}`);
    if (result.warnings.length + result.rejected.length > 0) {
      void vscode.window.showWarningMessage(`${input.name}: ${[...result.warnings, ...result.rejected.map((r) => `${r.kind}/${r.name} was refused`)].join(' ')}`);
    }
  });
  ctx.log.info(`Created environment ${name.trim()} in ${session.context}.`);
  if (ctx.connection.me() === owner.trim() && !ctx.current.get()) await ctx.current.set(name.trim());
  void vscode.window.showInformationMessage(`Environment ${name.trim()} created.`);
};
