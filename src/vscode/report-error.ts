// One place that turns any failure into one actionable message with buttons; details go to the log.
import * as vscode from 'vscode';
import { describeError, isCancelled, isTEnvError } from '../core/errors.ts';
import type { ErrorAction } from '../core/errors.ts';
import { redactCredentials, sanitizeText } from '../core/sanitize.ts';

const BUTTONS: Record<ErrorAction, string> = {
  install: 'Install',
  openSettings: 'Open Settings',
  showLog: 'Show Log',
  retry: 'Retry',
  selectContext: 'Select Context',
  trust: 'Manage Workspace Trust',
};

export interface ReportOptions {
  retry?: () => unknown;
  /** Extra buttons for this report. */
  extra?: { label: string; run: () => unknown }[];
  installUrl?: string;
}

export async function reportError(error: unknown, log: vscode.LogOutputChannel, options: ReportOptions = {}): Promise<void> {
  if (isCancelled(error)) {
    log.info('Cancelled.');
    return;
  }
  // Messages may quote the API server or annotations (untrusted): shown sanitized.
  const message = sanitizeText(redactCredentials(describeError(error)));
  const hint = isTEnvError(error) && error.hint !== undefined ? sanitizeText(error.hint) : undefined;
  log.error(message + (hint ? ` (${hint})` : ''));
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) log.debug(`cause: ${cause.name}: ${cause.message.split('\n')[0] ?? ''}`);
  const actions: ErrorAction[] = isTEnvError(error) ? [...error.actions] : ['showLog'];
  const available = actions.filter((a) => a !== 'retry' || options.retry);
  if (!available.includes('showLog')) available.push('showLog');
  const labels = [...(options.extra ?? []).map((e) => e.label), ...available.map((a) => BUTTONS[a])];
  const picked = await vscode.window.showErrorMessage(hint ? `${message} ${hint}` : message, ...labels);
  if (!picked) return;
  const extra = options.extra?.find((e) => e.label === picked);
  if (extra) {
    await extra.run();
    return;
  }
  const action = available.find((a) => BUTTONS[a] === picked);
  switch (action) {
    case 'install': await vscode.env.openExternal(vscode.Uri.parse(options.installUrl ?? 'https://www.okteto.com/docs/get-started/install-okteto-cli/')); break;
    case 'openSettings': await vscode.commands.executeCommand('workbench.action.openSettings', 'tenv'); break;
    case 'showLog': log.show(true); break;
    case 'retry': await options.retry?.(); break;
    case 'selectContext': await vscode.commands.executeCommand('tenv.selectContext'); break;
    case 'trust': await vscode.commands.executeCommand('workbench.trust.manage'); break;
    default: break;
  }
}
