// Issue #17's attacks on the VS Code side, in a real VS Code against the local control plane:
// M4 one namespace with an impossible time zone does not break the tree or the status bar;
// M2 control sequences in a pod's log reach the output channel shown escaped, never raw;
// L5 Markdown in an annotation is shown as text in the tooltip, never as a link or an image;
// M5 Start Dev into an environment carrying my owner label but created by someone else asks first;
// L4 Open in Grafana refuses a base URL that is not http(s), and Restricted Mode ignores the
// workspace's Grafana settings. (The CLI sides are in test/integration/hostile.test.ts.)
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { saveScreenshot, step } from '../browser.ts';
import { repoRoot } from '../paths.ts';
import { useWorkbench, withWorkbench } from './with-workbench.ts';
import { openTree, pick, runCommand, treeRow, waitForRow } from './tree.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { createEnvironmentFixture, eventually, runningPods } from '../../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const me = 'e2e-hana';
const badZone = 'e2e-hana-badzone';
const markdown = 'e2e-hana-markdown';
const decoy = 'e2e-hana-decoy';
const other = 'e2e-ivan-dev';
const namespaces = [badZone, markdown, decoy, other];
const injected = '[go](command:workbench.action.terminal.new) ![i](https://e.example/i.png)';
const fakeOkteto = path.join(repoRoot, 'test', 'fixtures', 'okteto-fake', 'okteto');
const files = { 'okteto.yml': 'dev:\n  api:\n    image: busybox\n    command: sh\n    sync:\n      - .:/usr/src/app\n' };
const env = { KUBECONFIG: cluster.kubeconfigPath, PATH: `${path.join(repoRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}` };

function toast(page: Parameters<typeof treeRow>[0], text: string) {
  return page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
}

void describe('Hostile cluster data in VS Code (issue #17)', () => {
  before(async () => {
    const api = [{ kind: 'Deployment' as const, name: 'api', replicas: 1 }];
    await createEnvironmentFixture(kc, { name: badZone, owner: me, timezone: 'Mars/Olympus', annotations: { 't-env.dev/asleep-until': '2099-01-01T00:00:00Z' }, workloads: api });
    await createEnvironmentFixture(kc, { name: markdown, owner: me, awakeHours: injected, workloads: [] });
    // My owner label, written by someone else: the API server's record names another creator.
    await createEnvironmentFixture(kc, { name: decoy, owner: me, annotations: { 't-env.dev/created-by': 'mallory' }, workloads: api });
    await createEnvironmentFixture(kc, { name: other, owner: 'e2e-ivan', timezone: 'Asia/Tokyo', awakeHours: 'always', workloads: [] });
  });
  after(async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({
    name: 'hostile', files, env,
    settings: { 'tenv.user': me, 'tenv.showAllEnvironments': true, 'tenv.oktetoPath': fakeOkteto, 'tenv.grafana.url': 'command:workbench.action.terminal.new?' },
  });

  workbench.it('M4: a bad time zone is one row with a problem; every other environment is listed', async ({ page }) => {
    await openTree(page);
    await step(page, 'the bad environment is a row with its problem', () => waitForRow(page, badZone, /schedule problem: Unknown time zone "Mars\/Olympus"/, 60_000));
    await step(page, 'the other environments are listed', async () => {
      for (const name of [markdown, decoy, other]) await treeRow(page, name).waitFor({ state: 'visible', timeout: 30_000 });
    });
    assert.match(await treeRow(page, other).innerText(), /e2e-ivan · /);
    assert.doesNotMatch(await treeRow(page, other).innerText(), /problem/);
    await saveScreenshot(page, 'hostile-tree');
  });

  workbench.it('M4: the status bar shows the environment with the bad time zone', async ({ page }) => {
    await step(page, 'run T-Env: Select Current Environment', () => runCommand(page, 'T-Env: Select Current Environment'));
    await step(page, 'pick the bad environment', () => pick(page, badZone));
    const item = page.locator('.statusbar-item').filter({ hasText: badZone }).first();
    await step(page, 'see it in the status bar', () => item.waitFor({ state: 'visible', timeout: 30_000 }));
    assert.equal(await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /time zone/i }).count(), 0, 'no error notification');
  });

  workbench.it('M2: a pod\'s log with terminal control sequences reaches the output channel escaped', async ({ page }) => {
    const [pod] = await eventually('api pod', async () => { const p = await runningPods(kc, badZone, 'api'); return p.length > 0 && p; }, 60_000);
    // Set the window title, write the clipboard (OSC 52), clear the screen (CSI via C1).
    await cluster.appendLog(badZone, pod!.metadata!.name!, 'api', ['before \u001b]0;pwned\u0007 \u001b]52;c;ZWNobyBoaQ==\u0007 \u009b2J after']);
    await step(page, 'run T-Env: Show Logs', () => runCommand(page, 'T-Env: Show Logs'));
    await step(page, 'pick the environment', () => pick(page, badZone));
    await step(page, 'pick the workload', () => pick(page, 'api'));
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    const line = output.locator('.view-line').filter({ hasText: 'before' }).first();
    await step(page, 'see the line', () => line.waitFor({ timeout: 30_000 }));
    const text = (await line.innerText()).replace(/\u00a0/g, ' ');
    assert.ok(text.includes('before \\x1b]0;pwned\\x07 \\x1b]52;c;ZWNobyBoaQ==\\x07 \\x9b2J after'), `shown escaped: ${JSON.stringify(text)}`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no raw control character');
  });

  workbench.it('L5: Markdown in an annotation is text in the tooltip, not a link or an image', async ({ page }) => {
    const row = treeRow(page, markdown);
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Awake hours' }).first();
    await step(page, 'hover the environment', async () => {
      for (let attempt = 1; ; attempt++) {
        await row.hover();
        try {
          await hover.waitFor({ state: 'visible', timeout: 5_000 });
          return;
        } catch (error) {
          await page.mouse.move(0, 0);
          if (attempt === 4) throw error;
        }
      }
    });
    // Shown as its characters. (VS Code's renderer autolinks the bare https URL and then keeps the
    // backslash appendText put before its ")", a cosmetic flaw of the editor's, not a link to anything else.)
    const shown = (await hover.innerText()).replace(/\u00a0/g, ' ');
    assert.ok(shown.includes('[go](command:workbench.action.terminal.new) ![i](https://e.example/i.png'), `the annotation shown as text: ${shown}`);
    assert.equal(await hover.locator('a[href^="command:"], a[data-href^="command:"], img').count(), 0, 'no command link, no image');
    await saveScreenshot(page, 'hostile-tooltip');
    await page.mouse.move(0, 0);
  });

  workbench.it('M5: Start Dev into an environment not created by me asks first; No leaves it untouched', async ({ page }) => {
    await step(page, 'run T-Env: Start Dev', () => runCommand(page, 'T-Env: Start Dev'));
    await step(page, 'pick the decoy', () => pick(page, decoy));
    // The manifest's one dev entry is taken without asking.
    const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'was not created by you' }).first();
    await step(page, 'see the question', () => dialog.waitFor({ state: 'visible', timeout: 30_000 }));
    assert.match(await dialog.innerText(), new RegExp(`${decoy} was not created by you \\(.+\\) but by mallory\\. Start Dev syncs this workspace's files into it\\.`));
    await saveScreenshot(page, 'hostile-decoy');
    await step(page, 'answer Cancel', () => dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click());
    await step(page, 'the question is gone', () => dialog.waitFor({ state: 'hidden', timeout: 10_000 }));
    // Refused before okteto: nothing took the workload over and no dev session started.
    const api = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'api', namespace: decoy });
    assert.equal(api.metadata?.labels?.['dev.okteto.com'], undefined);
    assert.equal(api.spec?.replicas, 1);
    assert.equal(await page.locator('.statusbar-item').filter({ hasText: 'api: ' }).count(), 0, 'no dev-mode status');
  });

  workbench.it('L4: Open in Grafana refuses a base URL that is not http(s)', async ({ page }) => {
    await step(page, 'run T-Env: Open in Grafana', () => runCommand(page, 'T-Env: Open in Grafana'));
    await step(page, 'pick an environment', () => pick(page, other));
    const refusal = toast(page, 'only http and https links are opened');
    await step(page, 'see the refusal', () => refusal.waitFor({ state: 'visible', timeout: 30_000 }));
    assert.match(await refusal.innerText(), /tenv\.grafana/);
  });
});

void describe('Restricted Mode and Grafana settings (issue #17, L4)', () => {
  void it('ignores the workspace\'s tenv.grafana.url in an untrusted workspace', { timeout: 180_000 }, async () => {
    const workspace = { ...files, '.vscode/settings.json': JSON.stringify({ 'tenv.grafana.url': 'https://grafana.attacker.example' }) };
    await withWorkbench({ name: 'restricted-grafana', files: workspace, env, trust: false }, async ({ page }) => {
      await step(page, 'run T-Env: Open in Grafana', () => runCommand(page, 'T-Env: Open in Grafana'));
      const needs = toast(page, 'Open in Grafana needs your Grafana\'s address');
      await step(page, 'the workspace value is not used', () => needs.waitFor({ state: 'visible', timeout: 30_000 }));
      assert.doesNotMatch(await needs.innerText(), /attacker/);
    });
  });
});
