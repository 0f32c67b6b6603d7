// How the editor starts `t mcp`, and that package.json declares the provider the extension registers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };
import { mcpLaunch } from '../../src/core/mcp-launch.ts';

describe('t mcp in the editor', () => {
  it('runs the bundled CLI with the editor\'s Node as plain Node, on the selected context, as me', () => {
    assert.deepEqual(mcpLaunch('/opt/code/code', '/ext/dist/cli.js', 'staging', 'fay'), {
      command: '/opt/code/code', args: ['/ext/dist/cli.js', 'mcp', '--context', 'staging'], env: { ELECTRON_RUN_AS_NODE: '1', T_ENV_USER: 'fay' },
    });
    assert.deepEqual(mcpLaunch('/usr/bin/node', '/ext/dist/cli.js', undefined, 'fay').args, ['/ext/dist/cli.js', 'mcp']);
  });

  it('declares the MCP server definition provider the extension registers, with a label (VS Code derives onMcpCollection from it)', () => {
    const source = fs.readFileSync(new URL('../../src/vscode/mcp-provider.ts', import.meta.url), 'utf8');
    const id = /export const MCP_PROVIDER_ID = '([^']+)'/.exec(source)?.[1];
    assert.deepEqual(pkg.contributes.mcpServerDefinitionProviders, [{ id, label: 'T-Env' }]);
  });
});
