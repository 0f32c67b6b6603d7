// "T-Env: Show Savings Report" in a real VS Code, against the local control plane: two
// environments with a known sleep ledger and workloads with known requests (the tree shows the
// asleep one as "asleep · wakes to 2"). The report opens from
// the command palette as a webview (an iframe in an iframe) with my environment's bar and table
// row; its "Everyone" link adds the other owner's and the totals; a ledger changed in the cluster
// reaches the page through the store; opened again it reuses the one panel, closed it is gone.
// Needs T_ENV_CLUSTER_DIR/KUBECONFIG (run through scripts/with-cluster.ts).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import type { Frame, Page } from 'playwright-core';
import { saveScreenshot, step } from '../browser.ts';
import { useWorkbench } from './with-workbench.ts';
import { openTree, runCommand, treeRow, waitForRow } from './tree.ts';
import { attachCluster } from '../../cluster/cluster.ts';
import { createEnvironmentFixture } from '../../fixtures/environments.ts';
import { dayText, localDayOf } from '../../../src/core/schedule.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const MINE = 'e2e-dana-dev';
const OTHER = 'e2e-erin-dev';
const H = 3600;

/**
 * A ledger whose figures do not move while the test runs: `since` lies an hour ahead, and reading
 * accrues nothing before it. Days are UTC (the environments' zone), two and three days ago: inside
 * the last 7 days even if the test runs across midnight.
 */
function ledger(state: 'asleep' | 'awake', cause: 'schedule' | 'manual', days: Record<number, number[]>): string {
  const today = localDayOf(Date.now(), 'UTC');
  return JSON.stringify({
    v: 1, state, cause, since: new Date(Date.now() + H * 1000).toISOString(),
    days: Object.fromEntries(Object.entries(days).map(([ago, figures]) => [dayText(today - Number(ago)), figures])),
  });
}

// [asleep schedule/manual/dev, awake schedule/manual/dev, wakes schedule/manual/dev]
const MINE_LEDGER = ledger('awake', 'schedule', { 2: [14 * H, 0, 0, 10 * H, 0, 0, 1, 0, 0], 3: [0, 6 * H, 0, 18 * H, 0, 0, 0, 1, 0] });
const OTHER_LEDGER = ledger('asleep', 'manual', { 2: [0, 24 * H, 0, 0, 0, 0, 0, 0, 0] });

function template(app: string, cpu: string, memory: string): k8s.V1PodTemplateSpec {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example/${app}:1`, resources: { requests: { cpu, memory } } }] } };
}

/** Deployments [name, replicas, cpu, memory, replicas before sleep (asleep: 0 replicas)]. */
async function environment(name: string, owner: string, sleepLedger: string, workloads: [string, number, string, string, string?][]): Promise<void> {
  await createEnvironmentFixture(kc, { name, owner, timezone: 'UTC', awakeHours: 'Mon-Fri 08:00-18:00', workloads: [], annotations: { 't-env.dev/sleep-ledger': sleepLedger } });
  for (const [app, replicas, cpu, memory, before] of workloads) {
    const metadata = { name: app, ...(before === undefined ? {} : { annotations: { 't-env.dev/replicas-before-sleep': before } }) };
    await apps.createNamespacedDeployment({ namespace: name, body: { metadata, spec: { replicas, selector: { matchLabels: { app } }, template: template(app, cpu, memory) } } });
  }
}

/** The report's page: the webview's inner frame (`#active-frame` in VS Code's webview iframe) holding `selector`. */
async function reportFrame(page: Page, selector: string): Promise<Frame> {
  return step(page, `the savings report webview showing ${selector}`, async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      for (const frame of page.frames()) {
        if (await frame.locator(selector).count().catch(() => 0) > 0) return frame;
      }
      await page.waitForTimeout(250);
    }
    throw new Error(`no frame shows ${selector}`);
  });
}

/** The cells of the table row headed `heading`. */
async function row(frame: Frame, table: string, heading: string): Promise<string[]> {
  const tr = frame.locator(`${table} tr`).filter({ has: frame.locator('th', { hasText: new RegExp(`^${heading}$`) }) }).first();
  return (await tr.locator('td').allInnerTexts()).map((t) => t.trim());
}

void describe('Savings report in VS Code', () => {
  before(async () => {
    // 2 × (250m, 512Mi) + 1 × (1, 2Gi) = 1.5 cores and 3 GiB sleep with mine (api asleep, its 2
    // replicas recorded); 500m and 1 GiB with the other.
    await environment(MINE, 'e2e-dana', MINE_LEDGER, [['api', 0, '250m', '512Mi', '2'], ['db', 1, '1', '2Gi']]);
    await environment(OTHER, 'e2e-erin', OTHER_LEDGER, [['api', 1, '500m', '1Gi']]);
  });
  after(async () => {
    for (const name of [MINE, OTHER]) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  const workbench = useWorkbench({
    name: 'savings',
    env: { KUBECONFIG: cluster.kubeconfigPath },
    settings: { 'tenv.user': 'e2e-dana', 'tenv.showAllEnvironments': false },
  });

  workbench.it('the tree says what an asleep workload wakes to', async ({ page }) => {
    await openTree(page);
    await waitForRow(page, MINE, /e2e-dana-dev/);
    await step(page, `expand ${MINE}`, () => treeRow(page, MINE).click());
    await waitForRow(page, 'api', /Deployment · asleep · wakes to 2/);
  });

  workbench.it('opens from the palette with my bar and row, then everyone\'s with totals, updates live, reuses its panel and opens anew once closed', async ({ page }) => {
    await runCommand(page, 'T-Env: Show Savings Report');
    let frame = await reportFrame(page, `li[data-environment="${MINE}"]`);
    // Mine: awake 10 + 18 h, asleep 14 h by schedule and 6 h by hand; 1.5 cores × 20 h, 3 GiB × 20 h.
    const bar = frame.locator(`li[data-environment="${MINE}"] svg[role="img"]`);
    assert.equal(await bar.getAttribute('aria-label'), `${MINE}: awake 28.0 h, asleep 20.0 h (42 %)`);
    assert.equal(await bar.locator('rect.awake').getAttribute('width'), '58.3');
    assert.equal(await bar.locator('rect.asleep').getAttribute('width'), '41.7');
    // Filled from the theme (var(--vscode-charts-blue)): a colour, not the default black or none.
    const fill = await bar.locator('rect.asleep').evaluate((r) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(r).fill);
    assert.match(fill, /^rgba?\(/);
    assert.notEqual(fill, 'rgb(0, 0, 0)');
    assert.deepEqual((await row(frame, '#environments', MINE)).slice(0, 8), ['e2e-dana', '28.0 h', '20.0 h', '42 %', 'schedule 14.0 h, manual 6.0 h', 'schedule 1, manual 1', '30.0', '60.0']);
    assert.equal(await frame.locator(`li[data-environment="${OTHER}"]`).count(), 0, 'only mine');
    await saveScreenshot(page, 'savings-mine');

    await step(page, 'switch to everyone', () => frame.locator('#scope a', { hasText: 'Everyone' }).click());
    frame = await reportFrame(page, `li[data-environment="${OTHER}"]`);
    assert.deepEqual((await row(frame, '#environments', OTHER)).slice(0, 8), ['e2e-erin', '0.0 h', '24.0 h', '100 %', 'manual 24.0 h', '–', '12.0', '24.0']);
    assert.deepEqual((await row(frame, '#environments tfoot', 'Total')).slice(0, 8), ['2 owners', '28.0 h', '44.0 h', '61 %', 'schedule 14.0 h, manual 30.0 h', 'schedule 1, manual 1', '42.0', '84.0']);
    assert.equal(await frame.locator('#owners tbody tr').count(), 2, 'a row per owner');
    await saveScreenshot(page, 'savings-everyone');

    // The cluster changes: the store's watch brings the new ledger to the page.
    await core.patchNamespace({ name: OTHER, body: { metadata: { annotations: { 't-env.dev/sleep-ledger': ledger('asleep', 'manual', { 2: [0, 12 * H, 0, 12 * H, 0, 0, 0, 0, 0] }) } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await step(page, 'the page shows the new ledger', async () => {
      const deadline = Date.now() + 30_000;
      let cells: string[] = [];
      while (Date.now() < deadline) {
        frame = await reportFrame(page, `li[data-environment="${OTHER}"]`);
        cells = await row(frame, '#environments', OTHER).catch(() => []);
        if (cells[2] === '12.0 h') return;
        await page.waitForTimeout(250);
      }
      throw new Error(`the row still reads ${JSON.stringify(cells)}`);
    });

    await runCommand(page, 'T-Env: Show Savings Report');
    await step(page, 'one report tab', () => page.locator('.tabs-container .tab', { hasText: 'T-Env Savings' }).first().waitFor({ state: 'visible', timeout: 10_000 }));
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'T-Env Savings' }).count(), 1, 'opened twice, one panel');
    const tab = page.locator('.tabs-container .tab', { hasText: 'T-Env Savings' });
    assert.match(await tab.innerText(), /everyone, 7 days/, 'it keeps the scope chosen in it');

    // Closed, the panel is disposed: the command opens a new one, with the tree's choice (mine).
    await runCommand(page, 'View: Close Editor');
    await step(page, 'the report closes', () => tab.waitFor({ state: 'detached', timeout: 10_000 }));
    await runCommand(page, 'T-Env: Show Savings Report');
    await step(page, 'a new report, mine', () => page.locator('.tabs-container .tab', { hasText: 'T-Env Savings (mine, 7 days)' }).waitFor({ state: 'visible', timeout: 10_000 }));
    frame = await reportFrame(page, `li[data-environment="${MINE}"]`);
    assert.equal(await frame.locator('#environments tfoot td').first().innerText(), '1 owner');
  });
});
