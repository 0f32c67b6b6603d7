// Wiring only: build the pieces, register commands and views, push every disposable.
// No I/O here: the cluster connection starts after activation, and the heavy adapters
// (dist/runtime.js) load on first use.
import * as vscode from 'vscode';
import { describeError } from './core/errors.ts';
import { COMMANDS } from './vscode/commands/index.ts';
import { config } from './vscode/config.ts';
import { ClusterConnection } from './vscode/connection.ts';
import { CurrentEnvironment } from './vscode/current-environment.ts';
import { DevSessions } from './vscode/dev-sessions.ts';
import { LogChannels } from './vscode/log-channels.ts';
import { registerMcpProvider } from './vscode/mcp-provider.ts';
import { sanitizedLog } from './vscode/sanitized-log.ts';
import { EnvironmentStatusBar } from './vscode/environment-status-bar.ts';
import { EnvironmentTreeProvider } from './vscode/environment-tree.ts';
import { reportError } from './vscode/report-error.ts';
import { SleepWarning } from './vscode/sleep-warning.ts';
import type { TEnvContext } from './vscode/tenv-context.ts';

export interface TEnvApi {
  /** How long activate() took, in ms (measured by the e2e suite). */
  readonly activationMs: number;
  /** The `t mcp` definitions given to VS Code (checked by the e2e suite); undefined without the MCP API. */
  readonly mcpServerDefinitions: (() => vscode.McpStdioServerDefinition[]) | undefined;
}

export function activate(extension: vscode.ExtensionContext): TEnvApi {
  const started = performance.now();
  const log = sanitizedLog(vscode.window.createOutputChannel('T-Env', { log: true }));
  const connection = new ClusterConnection(extension.workspaceState, log);
  const current = new CurrentEnvironment(extension.workspaceState, connection);
  const tree = new EnvironmentTreeProvider(connection);
  const statusBar = new EnvironmentStatusBar(connection, current);
  const view = vscode.window.createTreeView('tenv.environments', { treeDataProvider: tree, showCollapseAll: true });
  const devSessions = new DevSessions(log);
  const logChannels = new LogChannels(connection, log);
  extension.subscriptions.push(log, connection, current, tree, statusBar, view, devSessions, logChannels, new SleepWarning(connection, current));
  const mcp = registerMcpProvider(extension, connection, log);

  const ctx: TEnvContext = { extension, log, connection, current, tree, statusBar, devSessions, logChannels };
  for (const [id, factory] of Object.entries(COMMANDS)) {
    const run = factory(ctx);
    extension.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        await reportError(error, log, { retry: () => vscode.commands.executeCommand(id, ...args) });
        return undefined;
      }
    }));
  }
  extension.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('tenv.showAllEnvironments') || e.affectsConfiguration('tenv.user')) tree.refreshAll();
  }));
  // Re-attach to okteto sessions that survived a window reload, once my environments are known.
  const reattach = connection.onDidChangeState((state) => {
    if (state !== 'ready') return;
    reattach.dispose();
    const me = connection.me();
    void devSessions.reattach(connection.environments().filter((e) => e.owner === me), config.devStartTimeoutSeconds() * 1000)
      .catch((error: unknown) => log.warn(`Could not re-attach to okteto sessions: ${describeError(error)}`));
  });
  extension.subscriptions.push(reattach);
  void vscode.commands.executeCommand('setContext', 'tenv.clusterState', 'loading');
  // After activation: connect so that the status bar can show my environment even before the
  // tree is opened.
  const timer = setTimeout(() => { void connection.ensureStarted(); }, 0);
  extension.subscriptions.push({ dispose: () => clearTimeout(timer) });

  const activationMs = performance.now() - started;
  log.info(`T-Env activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, mcpServerDefinitions: mcp ? () => mcp.provideMcpServerDefinitions() : undefined };
}

export function deactivate(): void {
  // Everything is disposed through extension.subscriptions.
}
