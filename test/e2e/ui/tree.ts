// Driving the T-Env tree view in the workbench: open it, find rows, wait for a row's text.
import type { Page } from 'playwright-core';
import { step } from '../browser.ts';

export async function openTree(page: Page): Promise<void> {
  const entry = page.locator('.part.activitybar .action-item .action-label[aria-label^="T-Env"]');
  await step(page, 'open the T-Env view', async () => {
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    await entry.click();
  });
}

export function treeRow(page: Page, label: string) {
  return page.locator('.part.sidebar .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
}

/** Waits until the tree row `label` reads like `pattern` (its description holds counts and state). */
export async function waitForRow(page: Page, label: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await treeRow(page, label).innerText({ timeout: 2_000 }).catch(() => '');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`tree row "${label}" did not match ${String(pattern)} (last: ${JSON.stringify(text)})`);
}

