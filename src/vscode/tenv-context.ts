// The one context object every command factory receives (rust-analyzer style).
import type * as vscode from 'vscode';
import type { ClusterConnection } from './connection.ts';
import type { CurrentEnvironment } from './current-environment.ts';
import type { DevSessions } from './dev-sessions.ts';
import type { LogChannels } from './log-channels.ts';
import type { EnvironmentStatusBar } from './environment-status-bar.ts';
import type { EnvironmentTreeProvider } from './environment-tree.ts';

export interface TEnvContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly connection: ClusterConnection;
  readonly current: CurrentEnvironment;
  readonly tree: EnvironmentTreeProvider;
  readonly statusBar: EnvironmentStatusBar;
  readonly devSessions: DevSessions;
  readonly logChannels: LogChannels;
}

export type CommandFactory = (ctx: TEnvContext) => (...args: unknown[]) => Promise<unknown>;
