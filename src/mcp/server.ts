// `t mcp`: T-Env's tools for coding agents, as an MCP server on stdio. Another front end beside
// the CLI, over the same adapters and core: typed input schemas (zod, as the SDK uses), results
// as structured content (and the same JSON as text, for clients that read only text), failures as
// tool errors (`isError`) carrying the CLI's one-line message and hint. Everything returned is
// sanitized (sanitize.ts); nothing returned comes from the kubeconfig's credentials.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { errorSummary } from '../core/errors.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { registerActTools } from './act-tools.ts';
import { registerOverlayTools } from './overlay-tools.ts';
import { registerReadTools } from './read-tools.ts';
import { sanitizeAgentText, sanitizeAgentValue } from './sanitize.ts';

export interface McpContext {
  /** The cluster session, loaded on first use (a missing kubeconfig is then a tool error, not a crash). */
  session(): KubeSession;
  /** The user the agent acts for: the owner label of "my" environments (the CLI's `me`). */
  readonly me: string;
  now(): Date;
}

export interface ToolSpec<Shape extends z.ZodRawShape> {
  title: string;
  description: string;
  inputSchema: Shape;
  annotations: Omit<ToolAnnotations, 'title'>;
}

/** Reports how far long work has come, when the client asked for progress (a progressToken). */
export type ToolProgress = (message: string) => void;

/** A tool's answer: the structured result (also sent as its JSON text). */
export type ToolRun<Shape extends z.ZodRawShape> = (args: z.infer<z.ZodObject<Shape>>, signal: AbortSignal, progress: ToolProgress) => Promise<Record<string, unknown>>;

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * MCP progress notifications for one call (a no-op unless the client sent a progressToken): a
 * client that resets its request timeout on progress then waits for a long copy instead of giving up.
 */
function toolProgress(extra: ToolExtra): ToolProgress {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => undefined;
  let progress = 0;
  return (message) => {
    progress++;
    // Fire-and-forget: a client gone away is noticed by the call itself, not by its progress.
    void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message: sanitizeAgentText(message) } }).catch(() => undefined);
  };
}

/** A failure as an MCP tool error: the CLI's "message" and "hint: …" lines. */
export function toolError(error: unknown): CallToolResult {
  const { message, hint } = errorSummary(error);
  const text = sanitizeAgentText(hint ? `${message}\nhint: ${hint}` : message);
  return { isError: true, content: [{ type: 'text', text }] };
}

/** Registers a tool whose thrown errors become tool errors and whose result is sanitized. */
export function defineTool<Shape extends z.ZodRawShape>(server: McpServer, name: string, spec: ToolSpec<Shape>, run: ToolRun<Shape>): void {
  const annotations: ToolAnnotations = { title: spec.title, openWorldHint: false, ...spec.annotations };
  const callback = async (args: z.infer<z.ZodObject<Shape>>, extra: ToolExtra): Promise<CallToolResult> => {
    try {
      const result = sanitizeAgentValue(await run(args, extra.signal, toolProgress(extra)));
      return { structuredContent: result, content: [{ type: 'text', text: JSON.stringify(result) }] };
    } catch (error) {
      return toolError(error);
    }
  };
  // The SDK's callback type is conditional on the schema, which TypeScript cannot resolve for a
  // generic Shape; the SDK validates the arguments against inputSchema before calling it.
  server.registerTool(name, { title: spec.title, description: spec.description, inputSchema: spec.inputSchema, annotations }, callback as unknown as ToolCallback<Shape>);
}

/** The MCP server with every T-Env tool registered. */
export function createMcpServer(ctx: McpContext, version: string): McpServer {
  const server = new McpServer({ name: 't-env', title: 'T-Env', version }, {
    instructions: 'Personal Kubernetes environments (namespaces) of T-Env. Read with list_environments, environment_status, logs and events; '
      + 'act only on your own environments. Create environments with a ttl so that they do not outlive the task; '
      + 'to change a few services of a large application, create an overlay (plan_overlay, then create_environment with from and only or changed).',
  });
  registerReadTools(server, ctx);
  registerOverlayTools(server, ctx);
  registerActTools(server, ctx);
  return server;
}

/** Serves on stdin/stdout until stdin closes or `signal` aborts. */
export async function serveStdio(ctx: McpContext, version: string, signal: AbortSignal): Promise<void> {
  const server = createMcpServer(ctx, version);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
