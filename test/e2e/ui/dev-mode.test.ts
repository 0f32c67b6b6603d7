// Dev mode in real VS Code with the okteto stand-in (test/fixtures/okteto-fake, which makes the
// same cluster changes as `okteto up`/`down`): Start Dev from the palette with a real-world
// manifest, the status bar reaches ready, the tree marks the workload in dev mode; Stop Dev
// restores it. And Restricted Mode refuses.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { saveScreenshot, step } from '../browser.ts';
import { repoRoot } from '../paths.ts';
import { useWorkbench, withWorkbench } from './with-workbench.ts';
import { openTree, pick, runCommand, waitForRow } from './tree.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const name = 'e2e-dana-dev';
const fakeOkteto = path.join(repoRoot, 'test', 'fixtures', 'okteto-fake', 'okteto');
// Shaped like a real project: platform sections okteto refuses on a plain cluster (T-Env hands it
// a derived dev-only manifest) and several dev entries, one of them by selector.
const files = {
  'okteto.yml': 'name: shop\nicon: https://example.com/shop.png\nbuild:\n  api:\n    context: .\ndeploy:\n  - kubectl apply -f k8s\n'
    + 'test:\n  unit:\n    image: golang:1\n    commands:\n      - go test ./...\n'
    + 'dev:\n  api:\n    image: busybox\n    command: sh\n    sync:\n      - .:/usr/src/app\n  frontend:\n    selector:\n      app: web\n    image: node:20\n',
};
// The stand-in runs on Node 24 (the repo's), found on PATH.
const env = { KUBECONFIG: cluster.kubeconfigPath, PATH: `${path.join(repoRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, OKTETO_FAKE_STEP_MS: '200' };

void describe('Dev mode in VS Code', () => {
  before(async () => {
    await createEnvironmentFixture(kc, { name, owner: 'e2e-dana', timezone: 'Europe/Lisbon', awakeHours: 'always',
      workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'Deployment', name: 'web', replicas: 1 }] });
  });
  after(async () => {
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({ name: 'dev', files, env, settings: { 'tenv.user': 'e2e-dana', 'tenv.oktetoPath': fakeOkteto, 'tenv.devStartTimeoutSeconds': 60 } });

  workbench.it('starts dev mode from the palette and stops it again', async ({ page }) => {
    await openTree(page);
    await step(page, 'see my environment', () => page.locator('.part.sidebar .monaco-list-row').filter({ hasText: name }).first().waitFor({ timeout: 60_000 }));
    await step(page, 'run T-Env: Start Dev', () => runCommand(page, 'T-Env: Start Dev'));
    await step(page, 'pick the environment', () => pick(page, name));
    await step(page, 'pick the api dev entry', () => pick(page, 'api'));
    const ready = page.locator('.statusbar-item').filter({ hasText: 'api: ready' }).first();
    await step(page, 'status bar reaches ready', () => ready.waitFor({ state: 'visible', timeout: 90_000 }));
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const api = await apps.readNamespacedDeployment({ name: 'api', namespace: name });
    assert.equal(api.metadata?.labels?.['dev.okteto.com'], 'true');
    assert.equal(api.spec?.replicas, 0);
    await page.locator('.part.sidebar .monaco-list-row').filter({ hasText: name }).first().click();
    await step(page, 'tree marks api in dev mode', () => waitForRow(page, 'api', /in dev mode/, 30_000));
    await saveScreenshot(page, 'dev-mode');

    await step(page, 'run T-Env: Stop Dev', () => runCommand(page, 'T-Env: Stop Dev'));
    await step(page, 'pick the environment', () => pick(page, name));
    await step(page, 'keep the volumes', () => pick(page, 'keep the dev volumes'));
    await step(page, 'replicas restored', () => eventually('api back to 2 replicas', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'api', namespace: name });
      return d.spec?.replicas === 2 && d.metadata?.labels?.['dev.okteto.com'] === undefined;
    }, 60_000));
    await step(page, 'tree shows api running again', () => waitForRow(page, 'api', /2\/2 · running/, 60_000));
    await step(page, 'status bar cleared', () => eventually('no dev item', async () => (await page.locator('.statusbar-item').filter({ hasText: 'api: ' }).count()) === 0, 30_000));
  });
});

void describe('Restricted Mode', () => {
  void it('refuses Start Dev in an untrusted workspace with a clear message', { timeout: 180_000 }, async () => {
    await withWorkbench({ name: 'restricted', files, env, trust: false, settings: { 'tenv.oktetoPath': fakeOkteto } }, async ({ page }) => {
      await step(page, 'run T-Env: Start Dev', () => runCommand(page, 'T-Env: Start Dev'));
      const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'Restricted Mode' }).first();
      await step(page, 'see the refusal', () => toast.waitFor({ state: 'visible', timeout: 30_000 }));
      assert.match(await toast.innerText(), /Start Dev is disabled in Restricted Mode/);
      await saveScreenshot(page, 'restricted-mode');
    });
  });
});
