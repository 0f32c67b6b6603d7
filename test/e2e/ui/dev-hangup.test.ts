// Closing okteto's terminal in a real VS Code (issue #16, point 5): the terminal's SIGHUP ends
// `okteto up` (the stand-in exits 129 and leaves its pid file, as okteto's cmd/up/up.go does, which
// handles only SIGINT and SIGTERM), dev mode stays on in the cluster, and T-Env says so — "dev
// mode left running; Stop Dev to restore" — instead of reporting a crash; its Stop Dev button
// restores the workload.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { saveScreenshot, step } from '../browser.ts';
import { repoRoot } from '../paths.ts';
import { useWorkbench } from './with-workbench.ts';
import { openTree, pick, runCommand, treeRow, waitForRow } from './tree.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const name = 'e2e-gus-dev';
const fakeOkteto = path.join(repoRoot, 'test', 'fixtures', 'okteto-fake', 'okteto');
const files = { 'okteto.yml': 'dev:\n  api:\n    image: busybox\n    command: sh\n    sync:\n      - .:/usr/src/app\n' };
const env = { KUBECONFIG: cluster.kubeconfigPath, PATH: `${path.join(repoRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, OKTETO_FAKE_STEP_MS: '200' };

void describe('Closing the okteto terminal in VS Code', () => {
  before(async () => {
    await createEnvironmentFixture(kc, { name, owner: 'e2e-gus', awakeHours: 'always', workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }] });
  });
  after(async () => {
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({ name: 'dev-hangup', files, env, settings: { 'tenv.user': 'e2e-gus', 'tenv.oktetoPath': fakeOkteto, 'tenv.devStartTimeoutSeconds': 60 } });

  workbench.it('reports dev mode left running, not a crash, and Stop Dev from the message restores', async ({ page }) => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await openTree(page);
    await step(page, 'see my environment', () => treeRow(page, name).waitFor({ timeout: 60_000 }));
    await step(page, 'run T-Env: Start Dev', () => runCommand(page, 'T-Env: Start Dev'));
    await step(page, 'pick the environment', () => pick(page, name));
    // The manifest's one dev entry is taken without asking.
    await step(page, 'status bar reaches ready', () => page.locator('.statusbar-item').filter({ hasText: 'api: ready' }).first().waitFor({ state: 'visible', timeout: 90_000 }));

    await step(page, 'close the okteto terminal', () => runCommand(page, 'Terminal: Kill the Active Terminal Instance'));
    const left = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'dev mode left running' }).first();
    await step(page, 'see "dev mode left running"', () => left.waitFor({ state: 'visible', timeout: 30_000 }));
    assert.match(await left.innerText(), new RegExp(`api: the okteto terminal was closed; dev mode left running in ${name}\\. Stop Dev to restore\\.`));
    assert.equal(await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /failed|stopped unexpectedly|crash/i }).count(), 0, 'not reported as a failure');
    const api = await apps.readNamespacedDeployment({ name: 'api', namespace: name });
    assert.equal(api.metadata?.labels?.['dev.okteto.com'], 'true', 'okteto left dev mode on');
    assert.equal(api.spec?.replicas, 0);
    await treeRow(page, name).click();
    await step(page, 'the tree still shows api in dev mode', () => waitForRow(page, 'api', /in dev mode/, 30_000));
    await saveScreenshot(page, 'dev-hangup');

    await step(page, 'click Stop Dev in the message', () => left.locator('.monaco-button', { hasText: 'Stop Dev' }).first().click());
    await step(page, 'pick the environment', () => pick(page, name));
    await step(page, 'keep the volumes', () => pick(page, 'keep the dev volumes'));
    await step(page, 'replicas restored', () => eventually('api back to 2 replicas', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'api', namespace: name });
      return d.spec?.replicas === 2 && d.metadata?.labels?.['dev.okteto.com'] === undefined;
    }, 60_000));
    await step(page, 'tree shows api running again', () => waitForRow(page, 'api', /2\/2 · running/, 60_000));
  });
});
