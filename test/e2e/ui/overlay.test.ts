// Overlays in a real VS Code, against the local control plane: a baseline shaped like a real shop
// (test/fixtures/overlay-shop.yaml) and a real git checkout made by the test as the workspace.
// Create Environment's "Only what I changed" shows the plan for the branch's change (cart, and its
// callers from the entry points) checked in a quick pick; one caller is unticked; the overlay is
// created with the rest. The tree says "overlay of … · 3 of 12 workloads" and lists the routed
// Services as "→ baseline" rows; Add to Environment on one (a Service "mail" named unlike the
// workload "email" behind it) turns that workload into a workload of the overlay.
// Back on the base branch, nothing changed: one actionable message.
// Needs T_ENV_CLUSTER_DIR/KUBECONFIG (run through scripts/with-cluster.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { saveScreenshot, step } from '../browser.ts';
import { repoRoot } from '../paths.ts';
import { useWorkbench } from './with-workbench.ts';
import { answer, openTree, pick, runCommand, treeRow, waitForRow } from './tree.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { eventually } from '../../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const BASELINE = 'e2e-shop';
const ENV = 'e2e-erin-cart';

/** The workspace folder (set when the workbench opens it). */
let checkout = '';

function git(...args: string[]): void {
  execFileSync('git', args, {
    cwd: checkout, stdio: 'ignore',
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

/** The developer's checkout: `release` (what the baseline runs), then a branch that changes cart. */
function makeCheckout(folder: string): void {
  checkout = folder;
  git('init', '-q', '-b', 'release');
  git('add', '.');
  git('commit', '-q', '-m', 'release');
  git('checkout', '-q', '-b', 'feature');
  fs.writeFileSync(path.join(checkout, 'services', 'cart', 'main.go'), 'package main // v2\n');
  git('commit', '-q', '-am', 'cart: v2');
}

const files = {
  'okteto.yml': 'name: shop\ndev:\n  cart:\n    image: busybox\n    sync:\n      - services/cart:/app\n  email:\n    image: busybox\n    sync:\n      - services/email:/app\n',
  'services/cart/main.go': 'package main // v1\n',
  'services/email/main.py': 'print("v1")\n',
};

void describe('Overlays in VS Code', () => {
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: BASELINE, labels: { 't-env.dev/baseline': 'true' }, annotations: { 't-env.dev/git-ref': 'release' } } } });
    const text = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'overlay-shop.yaml'), 'utf8').replaceAll('BASELINE', BASELINE);
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS() as k8s.KubernetesObject;
      await objects.create({ ...obj, metadata: { ...obj.metadata, namespace: BASELINE } });
    }
    // A second Service of email, named otherwise: routed rows are Services, not workloads.
    await core.createNamespacedService({ namespace: BASELINE, body: { metadata: { name: 'mail' }, spec: { selector: { app: 'email' }, ports: [{ port: 5000 }] } } });
  });
  after(async () => {
    for (const name of [ENV, BASELINE]) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({
    name: 'overlay', files, prepare: makeCheckout,
    env: { KUBECONFIG: cluster.kubeconfigPath },
    settings: { 'tenv.user': 'e2e-erin', 'tenv.showAllEnvironments': false },
  });

  workbench.it('"Only what I changed" shows the plan for the branch\'s change and creates the overlay with what stays checked', async ({ page }) => {
    await openTree(page);
    await step(page, 'run T-Env: Create Environment', () => runCommand(page, 'T-Env: Create Environment'));
    await step(page, 'pick "only what I changed"', () => pick(page, `${BASELINE}: only what I changed`));
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    const row = (label: string) => rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
    await step(page, 'the plan: cart changed on the branch, its callers from both entry points', async () => {
      await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'Only what I changed (since release): runs 4 of 12 workloads' }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await row('cart').filter({ hasText: 'changed: services/cart/main.go' }).waitFor({ state: 'visible', timeout: 10_000 });
      await row('checkout').filter({ hasText: 'calls cart' }).waitFor({ state: 'visible', timeout: 10_000 });
      await row('partner-api').filter({ hasText: 'calls checkout' }).waitFor({ state: 'visible', timeout: 10_000 });
      await row('redis-cart').filter({ hasText: `→ ${BASELINE} · called by cart` }).waitFor({ state: 'visible', timeout: 10_000 });
    });
    await saveScreenshot(page, 'overlay-plan');
    await step(page, 'untick partner-api and accept', async () => {
      await row('partner-api').click();
      await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    });
    await answer(page, `Create Environment from ${BASELINE} (1/5)`, ENV);
    await answer(page, 'Create Environment (2/5)', 'e2e-erin');
    await answer(page, 'Create Environment (3/5)', 'UTC');
    await answer(page, 'Create Environment (4/5)', 'always');
    await answer(page, 'Create Environment (5/5)', '');
    await step(page, 'the tree says what the overlay runs', async () => {
      await treeRow(page, ENV).waitFor({ state: 'visible', timeout: 60_000 });
      await waitForRow(page, ENV, new RegExp(`overlay of ${BASELINE} · 3 of 12 workloads`), 30_000);
    });
    const deployments = (await apps.listNamespacedDeployment({ namespace: ENV })).items.map((d) => d.metadata?.name).sort();
    assert.deepEqual(deployments, ['cart', 'checkout', 'frontend']);
    const partner = await core.readNamespacedService({ namespace: ENV, name: 'partner-api' });
    assert.equal(partner.spec?.type, 'ExternalName');
    assert.equal(partner.metadata?.annotations?.['t-env.dev/routed-to'], BASELINE);
  });

  workbench.it('lists routed Services as "→ baseline" rows; Add to Environment on one runs the workload behind it in the overlay', async ({ page }) => {
    await treeRow(page, ENV).click();
    const email = treeRow(page, 'email');
    const mail = treeRow(page, 'mail');
    await step(page, 'the routed Services email and mail are rows with their own icon', async () => {
      await waitForRow(page, 'email', new RegExp(`→ ${BASELINE}`), 30_000);
      await waitForRow(page, 'mail', new RegExp(`→ ${BASELINE}`), 10_000);
      await email.locator('.codicon-arrow-right').first().waitFor({ timeout: 10_000 });
      await mail.locator('.codicon-arrow-right').first().waitFor({ timeout: 10_000 });
    });
    await waitForRow(page, 'partner-api', new RegExp(`→ ${BASELINE}`), 10_000);
    await waitForRow(page, 'cart', /Deployment/, 10_000);
    await saveScreenshot(page, 'overlay-routed');
    await step(page, 'Add to Environment on the mail row', async () => {
      const action = mail.locator('.action-label[aria-label="Add to Environment"]');
      for (let attempt = 1; ; attempt++) {
        await mail.hover();
        try {
          await action.waitFor({ state: 'visible', timeout: 5_000 });
          await action.click();
          return;
        } catch (error) {
          await page.mouse.move(0, 0);
          if (attempt === 4) throw error;
        }
      }
    });
    await step(page, 'email (the workload behind mail) is a workload now; neither of its Services is routed', async () => {
      await waitForRow(page, 'email', /Deployment/, 60_000);
      await waitForRow(page, ENV, /4 of 12 workloads/, 30_000);
      await mail.waitFor({ state: 'detached', timeout: 30_000 });
    });
    assert.equal(await email.locator('.codicon-arrow-right').count(), 0);
    for (const name of ['email', 'mail']) {
      await eventually(`the routed Service ${name} became a copy`, async () =>
        (await core.readNamespacedService({ namespace: ENV, name })).spec?.type !== 'ExternalName');
    }
    await apps.readNamespacedDeployment({ namespace: ENV, name: 'email' });
    await saveScreenshot(page, 'overlay-added');
  });

  workbench.it('with nothing changed, "Only what I changed" says so in one message and asks for nothing more', async ({ page }) => {
    git('checkout', '-q', 'release');
    await step(page, 'run T-Env: Create Environment', () => runCommand(page, 'T-Env: Create Environment'));
    await step(page, 'pick "only what I changed"', () => pick(page, `${BASELINE}: only what I changed`));
    const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'Nothing changed since release' });
    await step(page, 'one message says what to do', () => toast.first().waitFor({ state: 'visible', timeout: 60_000 }));
    assert.match(await toast.first().innerText(), /create a full copy instead/);
    assert.equal(await toast.count(), 1);
    assert.equal(await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: '(1/5)' }).count(), 0, 'no name asked');
  });
});
