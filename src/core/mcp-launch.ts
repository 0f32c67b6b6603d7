// How an editor starts `t mcp`: the editor's own Node (Electron run as Node) with the bundled CLI,
// the context the developer selected and the owner name the extension uses as "me".

export interface McpLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The command line of T-Env's MCP server; `context` undefined: the kubeconfig's current context. */
export function mcpLaunch(execPath: string, cliPath: string, context: string | undefined, me: string): McpLaunch {
  return {
    command: execPath,
    args: [cliPath, 'mcp', ...(context ? ['--context', context] : [])],
    // ELECTRON_RUN_AS_NODE makes the editor's binary a plain Node (harmless when it already is one).
    env: { ELECTRON_RUN_AS_NODE: '1', T_ENV_USER: me },
  };
}
