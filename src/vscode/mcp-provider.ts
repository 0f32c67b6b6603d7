// Registers `t mcp` with VS Code's MCP support, so that agent mode sees T-Env's tools with no
// configuration: the bundled CLI (dist/cli.js) run by the extension host's own Node, on the
// context selected in T-Env. The definition changes (and VS Code restarts the server) when the
// context or the user name changes. Editors without the API (older VS Code, forks) skip it.
import * as vscode from 'vscode';
import { mcpLaunch } from '../core/mcp-launch.ts';
import type { ClusterConnection } from './connection.ts';

/** Declared in package.json `contributes.mcpServerDefinitionProviders`. */
export const MCP_PROVIDER_ID = 'tenv.mcp';

export class TEnvMcpProvider implements vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private readonly extension: vscode.ExtensionContext;
  private readonly connection: ClusterConnection;
  private last: string;

  constructor(extension: vscode.ExtensionContext, connection: ClusterConnection) {
    this.extension = extension;
    this.connection = connection;
    this.last = this.key();
    const check = (): void => {
      const key = this.key();
      if (key !== this.last) { this.last = key; this.changed.fire(); }
    };
    this.subscriptions = [connection.onDidChangeState(check), vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('tenv.user')) check(); })];
  }

  private context(): string | undefined {
    return this.connection.session?.context ?? this.connection.selectedContext;
  }

  private key(): string {
    return `${this.context() ?? ''}\n${this.connection.me()}`;
  }

  provideMcpServerDefinitions(): vscode.McpStdioServerDefinition[] {
    const cli = vscode.Uri.joinPath(this.extension.extensionUri, 'dist', 'cli.js').fsPath;
    const launch = mcpLaunch(process.execPath, cli, this.context(), this.connection.me());
    const version = (this.extension.extension.packageJSON as { version?: string }).version;
    return [new vscode.McpStdioServerDefinition('T-Env', launch.command, launch.args, launch.env, version)];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/**
 * Registers the provider where the editor has the MCP API and pushes its disposables; returns it
 * (undefined in an editor without the API).
 */
export function registerMcpProvider(extension: vscode.ExtensionContext, connection: ClusterConnection, log: vscode.LogOutputChannel): TEnvMcpProvider | undefined {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof (vscode as { McpStdioServerDefinition?: unknown }).McpStdioServerDefinition !== 'function') {
    log.info('This editor has no MCP server definition API; "t mcp" is not registered (add it to your agent by hand, see the README).');
    return undefined;
  }
  const provider = new TEnvMcpProvider(extension, connection);
  extension.subscriptions.push(provider, lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));
  return provider;
}
