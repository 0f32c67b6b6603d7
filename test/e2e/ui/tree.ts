// Driving the workbench: the T-Env tree view (open it, find rows, wait for a row's text), the
// command palette and quick picks.
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


/** Runs a command from the palette (F1). */
export async function runCommand(page: Page, title: string): Promise<void> {
  // Right after start-up the palette may not list the extension's commands yet: reopen it.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
    try {
      // A webview taking focus as it renders can close the palette just opened: then open it again.
      await input.fill(`>${title}`, { timeout: 5_000 });
      await row.waitFor({ state: 'visible', timeout: 5_000 });
      await row.click();
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (attempt === 4) throw error;
    }
  }
}

/** Picks a quick-pick row by its text. */
export async function pick(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

/** Answers the open input box titled `title` with `value`. */
export async function answer(page: Page, title: string, value: string): Promise<void> {
  await step(page, `input box "${title}"`, async () => {
    await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(value);
    await input.press('Enter');
  });
}
