// The Wake button in real VS Code: an asleep environment shows "Wake <env>" in the status bar;
// clicking it brings the pods back and the item turns into the awake state.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { saveScreenshot, step } from '../browser.ts';
import { useWorkbench } from './with-workbench.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { createEnvironmentFixture, eventually, runningPods } from '../../fixtures/environments.ts';
import { sleepEnvironment } from '../../../src/adapters/sleep.ts';
import { loadKubeConfig } from '../../../src/adapters/kube.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const name = 'e2e-carol-dev';

void describe('Wake button in VS Code', () => {
  before(async () => {
    await createEnvironmentFixture(kc, { name, owner: 'e2e-carol', timezone: 'Asia/Kathmandu', awakeHours: 'Mon-Fri 09:00-17:00',
      workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'StatefulSet', name: 'db', replicas: 1 }] });
    await eventually('pods running', async () => (await runningPods(kc, name, 'api')).length === 2);
    await sleepEnvironment(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }), name);
    await eventually('pods gone', async () => (await runningPods(kc, name, 'api')).length === 0);
  });
  after(async () => {
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({ name: 'wake', env: { KUBECONFIG: cluster.kubeconfigPath }, settings: { 'tenv.user': 'e2e-carol' } });

  workbench.it('wakes the environment from the status bar', async ({ page }) => {
    const wake = page.locator('.statusbar-item').filter({ hasText: `Wake ${name}` }).first();
    await step(page, 'see the Wake button', () => wake.waitFor({ state: 'visible', timeout: 60_000 }));
    assert.ok(await wake.locator('.codicon-play').count() > 0, 'play icon');
    await saveScreenshot(page, 'wake-button');
    await wake.click();
    await step(page, 'pods back', () => eventually('2 api pods running', async () => (await runningPods(kc, name, 'api')).length === 2, 60_000));
    const awake = page.locator('.statusbar-item').filter({ hasText: name }).filter({ has: page.locator('.codicon-vm-active') }).first();
    await step(page, 'status bar turns awake', () => awake.waitFor({ state: 'visible', timeout: 60_000 }));
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const api = await apps.readNamespacedDeployment({ name: 'api', namespace: name });
    assert.equal(api.spec?.replicas, 2);
    assert.equal(api.metadata?.annotations?.['t-env.dev/replicas-before-sleep'], undefined);
    const ns = await kc.makeApiClient(k8s.CoreV1Api).readNamespace({ name });
    assert.ok(ns.metadata?.annotations?.['t-env.dev/awake-until'], 'awake-until set');
    await saveScreenshot(page, 'woken');
  });
});
