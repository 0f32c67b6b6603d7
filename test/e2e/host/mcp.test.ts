// In the extension host: the extension's MCP server definition provider returns a definition
// whose command (the packaged dist/cli.js on the host's own Node) answers initialize and
// tools/list, driven by the MCP SDK's own client.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { report } from './report.ts';

interface ExtensionApi {
  readonly mcpServerDefinitions?: (() => vscode.McpStdioServerDefinition[]) | undefined;
}

describe('MCP server definition provider', () => {
  it('is registered, and its definition starts a server that answers initialize and tools/list', async () => {
    assert.equal(typeof vscode.lm.registerMcpServerDefinitionProvider, 'function', 'this VS Code has the MCP provider API');
    const extension = vscode.extensions.getExtension<ExtensionApi>('t-env.t-env');
    assert.ok(extension);
    const api = await extension.activate();
    assert.ok(api.mcpServerDefinitions, 'the extension registered its provider');
    const definitions = api.mcpServerDefinitions();
    assert.equal(definitions.length, 1);
    const definition = definitions[0]!;
    assert.equal(definition.label, 'T-Env');
    assert.equal(definition.command, process.execPath);
    assert.match(definition.args[0] ?? '', /[\\/]dist[\\/]cli\.js$/);
    assert.equal(definition.args[1], 'mcp');
    assert.equal(definition.env['ELECTRON_RUN_AS_NODE'], '1');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, ...definition.env })) if (typeof value === 'string') env[key] = value;
    const client = new Client({ name: 't-env-e2e', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: definition.command, args: definition.args, env, stderr: 'pipe' }));
    try {
      assert.equal(client.getServerVersion()?.name, 't-env');
      const { tools } = await client.listTools();
      report(`      t mcp tools: ${tools.map((t) => t.name).join(', ')}`);
      assert.ok(tools.some((t) => t.name === 'list_environments'));
      assert.equal(tools.find((t) => t.name === 'delete_environment')?.annotations?.destructiveHint, true);
      assert.ok(tools.some((t) => t.name === 'refresh_environment'));
      assert.ok('from' in (tools.find((t) => t.name === 'create_environment')?.inputSchema.properties ?? {}), 'create_environment copies a baseline');
    } finally {
      await client.close();
    }
  });
});
