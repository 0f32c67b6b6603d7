// The Environments tree and status bar in a real VS Code, against the local control plane: the
// environments that exist are listed, the tree follows a pod change, the status bar shows my
// environment's state. Needs T_ENV_CLUSTER_DIR/KUBECONFIG (run through scripts/with-cluster.ts).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { saveScreenshot, step } from '../browser.ts';
import { useWorkbench } from './with-workbench.ts';
import { openTree, pick, runCommand, treeRow, waitForRow } from './tree.ts';
import { eventually, runningPods } from '../../fixtures/environments.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { createEnvironmentFixture } from '../../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();

void describe('Environments tree in VS Code', () => {
  before(async () => {
    await createEnvironmentFixture(kc, { name: 'e2e-alice-dev', owner: 'e2e-alice', timezone: 'Europe/Berlin', awakeHours: 'always',
      workloads: [{ kind: 'Deployment', name: 'api', replicas: 1 }, { kind: 'Deployment', name: 'web', replicas: 1 }] });
    await createEnvironmentFixture(kc, { name: 'e2e-bob-dev', owner: 'e2e-bob', timezone: 'America/New_York', awakeHours: 'Mon-Fri 09:00-17:00',
      workloads: [{ kind: 'Deployment', name: 'svc', replicas: 1, behaviour: 'crash-loop' }] });
  });
  after(async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (const name of ['e2e-alice-dev', 'e2e-bob-dev']) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({
    name: 'environments',
    env: { KUBECONFIG: cluster.kubeconfigPath },
    settings: { 'tenv.user': 'e2e-alice', 'tenv.showAllEnvironments': true },
  });

  workbench.it('lists the environments of the cluster, mine first, with their workloads', async ({ page }) => {
    await openTree(page);
    const alice = treeRow(page, 'e2e-alice-dev');
    await step(page, 'see my environment in the tree', () => alice.waitFor({ state: 'visible', timeout: 60_000 }));
    await step(page, 'see bob\'s environment', () => treeRow(page, 'e2e-bob-dev').waitFor({ state: 'visible', timeout: 30_000 }));
    const labels = await page.locator('.part.sidebar .monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.indexOf('e2e-alice-dev') < labels.indexOf('e2e-bob-dev'), `mine first: ${labels.join(', ')}`);
    assert.match(await treeRow(page, 'e2e-bob-dev').innerText(), /e2e-bob/);
    await alice.click();
    await step(page, 'expand to its workloads', () => treeRow(page, 'web').waitFor({ state: 'visible', timeout: 30_000 }));
    await step(page, 'web is running 1/1', () => waitForRow(page, 'web', /1\/1 · running/));
    await saveScreenshot(page, 'tree');
  });

  workbench.it('follows a change in the cluster without a refresh', async ({ page }) => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'e2e-alice-dev', body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await step(page, 'web shows 3/3', () => waitForRow(page, 'web', /3\/3 · running/));
  });

  workbench.it('marks the crash-looping workload with a warning icon', async ({ page }) => {
    await treeRow(page, 'e2e-bob-dev').click();
    const svc = treeRow(page, 'svc');
    await step(page, 'expand bob\'s environment', () => svc.waitFor({ state: 'visible', timeout: 30_000 }));
    await step(page, 'svc is crash-looping with a warning icon', async () => {
      await waitForRow(page, 'svc', /crash-looping/, 60_000);
      await svc.locator('.codicon-warning').waitFor({ timeout: 60_000 });
    });
    await saveScreenshot(page, 'crash-loop');
  });

  workbench.it('streams a workload\'s logs into an output channel', async ({ page }) => {
    const [pod] = await eventually('api pod', async () => { const p = await runningPods(kc, 'e2e-alice-dev', 'api'); return p.length > 0 && p; });
    const podName = pod!.metadata!.name!;
    await cluster.appendLog('e2e-alice-dev', podName, 'api', ['line written before Show Logs']);
    await step(page, 'run T-Env: Show Logs', () => runCommand(page, 'T-Env: Show Logs'));
    await step(page, 'pick the environment', () => pick(page, 'e2e-alice-dev'));
    await step(page, 'pick the workload', () => pick(page, 'api'));
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await step(page, 'see the earlier line', () => output.filter({ hasText: 'line written before Show Logs' }).first().waitFor({ timeout: 30_000 }));
    await cluster.appendLog('e2e-alice-dev', podName, 'api', ['appended while following']);
    await step(page, 'see the appended line, prefixed with the pod', () => output.filter({ hasText: `[${podName}] appended while following` }).first().waitFor({ timeout: 30_000 }));
    await saveScreenshot(page, 'logs');
  });

  workbench.it('shows my environment\'s state in the status bar', async ({ page }) => {
    const item = page.locator('.statusbar-item').filter({ hasText: 'e2e-alice-dev' }).first();
    await step(page, 'see the status-bar item', () => item.waitFor({ state: 'visible', timeout: 30_000 }));
    assert.ok(await item.locator('.codicon-vm-active').count() > 0, 'awake icon');
    await saveScreenshot(page, 'workbench');
  });
});
