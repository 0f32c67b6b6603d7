// In the extension host: the extension activates, and every command package.json declares is registered.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { report } from './report.ts';

const extensionId = 't-env.t-env';

interface Manifest {
  readonly contributes?: { readonly commands?: readonly { readonly command: string }[] };
}

/** What activate() returns, as far as these tests read it. */
interface ExtensionApi {
  readonly activationMs?: number;
}

describe('commands', () => {
  let declared: string[] = [];

  before(async () => {
    const extension = vscode.extensions.getExtension<ExtensionApi | undefined>(extensionId);
    assert.ok(extension, `extension ${extensionId} is not installed in this VS Code`);
    const wasActive = extension.isActive;
    const start = performance.now();
    const api = await extension.activate();
    const measured = performance.now() - start;
    if (typeof api?.activationMs === 'number') {
      report(`      activation: ${api.activationMs.toFixed(1)} ms (reported by the extension)`);
    } else if (wasActive) {
      report('      activation: already active before the tests started (not measured)');
    } else {
      report(`      activation: ${measured.toFixed(1)} ms (measured around activate())`);
    }
    const manifest = extension.packageJSON as Manifest;
    declared = (manifest.contributes?.commands ?? []).map((entry) => entry.command);
  });

  it('declares commands in package.json', () => {
    assert.ok(declared.length > 0, 'contributes.commands is empty');
  });

  it('registers every command declared in contributes.commands', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((command) => !registered.has(command));
    if (missing.length > 0) assert.fail(`declared in package.json but not registered after activation: ${missing.join(', ')}`);
  });
});
