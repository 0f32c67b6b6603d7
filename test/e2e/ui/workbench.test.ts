// The packaged extension in a real workbench: its activity-bar entry, its Environments view and its
// palette commands are there.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { saveScreenshot, step } from '../browser.ts';
import { useWorkbench } from './with-workbench.ts';

void describe('T-Env in the workbench', () => {
  const workbench = useWorkbench({ name: 'workbench' });

  workbench.it('has a T-Env activity-bar entry that opens the Environments view', async ({ page }) => {
    // The activity-bar item is an <li role="tab"> whose <a class="action-label"> carries the container title.
    const entry = page.locator('.part.activitybar .action-item .action-label[aria-label^="T-Env"]');
    await step(page, 'find the T-Env activity-bar entry', () => entry.waitFor({ state: 'visible', timeout: 30_000 }));
    await entry.click();
    const sidebar = page.locator('.part.sidebar');
    await step(page, 'see the Environments view in the sidebar', () =>
      sidebar.getByText(/Environments/i).first().waitFor({ state: 'visible', timeout: 30_000 }));
    assert.match(await sidebar.locator('.composite.title').innerText(), /T-Env/i);
    // Until the extension registers its tree, the view says "There is no data provider registered";
    // then it shows either tree rows or one of its viewsWelcome states (no kubeconfig, loading, ...).
    await step(page, 'see the Environments tree or its welcome content', () =>
      sidebar.locator('.welcome-view-content, .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30_000 }));
    await saveScreenshot(page, 'workbench');
  });

  workbench.it('lists T-Env: Start Dev in the command palette', async ({ page }) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await step(page, 'open the command palette', () => input.waitFor({ state: 'visible', timeout: 15_000 }));
    await input.fill('>T-Env: Start Dev');
    const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'T-Env: Start Dev' }).first();
    await step(page, 'see "T-Env: Start Dev" in the palette', () => row.waitFor({ state: 'visible', timeout: 15_000 }));
    await saveScreenshot(page, 'palette');
    await page.keyboard.press('Escape');
  });
});
