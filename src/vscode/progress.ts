// Bridges VS Code cancellation to AbortSignal, which adapters (execa, watches, streams) take.
import type * as vscode from 'vscode';

export function abortSignalFor(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
