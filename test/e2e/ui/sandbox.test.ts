// `npm run sandbox` from this checkout: it prints the URL line, the URL serves a workbench whose
// T-Env tree shows the demo environments, and SIGTERM stops everything it started.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { it } from 'node:test';
import { launchChromium, saveScreenshot, step } from '../browser.ts';
import { repoNode, repoRoot } from '../paths.ts';
import { descendants, isAlive } from '../processes.ts';
import { openTree, treeRow } from './tree.ts';

void it('npm run sandbox serves a workbench with the demo environments and stops on SIGTERM', { timeout: 600_000 }, async () => {
  // The sandbox builds the vsix itself unless told the e2e run already did.
  const child = spawn(repoNode, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', 'scripts/sandbox.ts'], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, T_ENV_SANDBOX_SKIP_PACKAGE: process.env['T_ENV_SKIP_PACKAGE'] ?? '' },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const m = /^T-Env sandbox: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/.exec(line);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`sandbox exited (${code}) before printing its URL`)));
    });
    const browser = await launchChromium();
    const page = browser.page;
    try {
      await page.goto(url);
      await step(page, 'workbench loads', () => page.locator('.monaco-workbench').waitFor({ timeout: 60_000 }));
      await openTree(page);
      for (const name of ['sandbox-dev', 'lee-dev', 'priya-dev', 'sam-dev']) {
        await step(page, `see ${name}`, () => treeRow(page, name).waitFor({ state: 'visible', timeout: 60_000 }));
      }
      assert.match(await treeRow(page, 'sandbox-dev').innerText(), /asleep/);
      await step(page, 'see the Wake button', () => page.locator('.statusbar-item').filter({ hasText: 'Wake sandbox-dev' }).first().waitFor({ timeout: 30_000 }));
      await saveScreenshot(page, 'sandbox');
    } finally {
      await browser.stop();
    }
    const tree = descendants(child.pid!);
    child.kill('SIGTERM');
    // 143 = stopped by SIGTERM, after stopping everything it started.
    assert.equal(await exited, 143);
    const deadline = Date.now() + 10_000;
    while (tree.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(tree.filter(isAlive), [], 'no process of the sandbox is left');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
