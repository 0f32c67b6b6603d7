// `t mcp`: T-Env's tools for coding agents, as an MCP server on stdin/stdout (src/mcp/).
import pkg from '../../package.json' with { type: 'json' };
import { loadKubeConfig } from '../adapters/kube.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { serveStdio } from '../mcp/server.ts';
import { stringOption } from './command.ts';
import type { Command } from './command.ts';
import { me } from './env-commands.ts';

export const mcpCommand: Command = {
  path: ['mcp'],
  summary: 'Serve T-Env\'s tools to coding agents over MCP on stdin/stdout (for an agent\'s MCP configuration).',
  async run(ctx) {
    let session: KubeSession | undefined;
    await serveStdio({
      session: () => (session ??= loadKubeConfig({ context: stringOption(ctx, 'context'), kubeconfig: stringOption(ctx, 'kubeconfig') }, ctx.env)),
      me: me(ctx.env),
      now: () => new Date(),
    }, pkg.version, ctx.signal);
  },
};
