// Headless Debian Chromium through playwright-core, and the failure screenshots every wait saves.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir } from './paths.ts';
import { log } from './log.ts';
import { children, descendants, isAlive, killTree, processName } from './processes.ts';
import { registerTeardown } from './teardown.ts';
import { chromiumPath } from './system-packages.ts';

export interface RunningBrowser {
  readonly browser: Browser;
  readonly page: Page;
  /** Closes the browser; safe to call twice. */
  stop(): Promise<void>;
}

/** Flags seen working for VS Code in Debian's Chromium as root in a container, with no internet. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with one page. Playwright's own exit handler kills it if the runner dies. */
export async function launchChromium(): Promise<RunningBrowser> {
  const childrenBefore = new Set(children(process.pid));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    timeout: 60_000,
    // Signals are handled by teardown.ts, which stops code-server too.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // Playwright does not expose the browser's pid: it is the child process that appeared just now.
  const browserPid = children(process.pid).find((pid) => !childrenBefore.has(pid) && processName(pid) === 'chromium');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const tree = browserPid === undefined ? [] : [browserPid, ...descendants(browserPid)];
      await browser.close().catch(() => undefined);
      // close() returns before Chromium's helper processes are gone; wait for them, then insist.
      const deadline = Date.now() + 5_000;
      while (tree.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (browserPid !== undefined) killTree(browserPid, 'SIGKILL');
      unregister();
    })();
    return stopping;
  };
  const unregister = registerTeardown('chromium', stop, () => {
    // Nothing synchronous to do: playwright-core kills the browser's process group on exit.
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    return { browser, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Saves a full-page screenshot to `.test-artifacts/<name>.png`; returns its path, or undefined if the page is gone. */
export async function saveScreenshot(page: Page, name: string): Promise<string | undefined> {
  const file = path.join(artifactsDir, `${name}.png`);
  try {
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch (error) {
    log('screenshot', `could not save ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Errors thrown by step(), which already saved their screenshot. */
const screenshotted = new WeakSet<object>();

/** Whether `error` comes from step() and so has its screenshot already. */
export function hasScreenshot(error: unknown): boolean {
  return typeof error === 'object' && error !== null && screenshotted.has(error);
}

/**
 * Runs one UI step (usually a wait); on failure saves `.test-artifacts/failure-<slug>.png` and
 * rethrows with the step's description and the screenshot path.
 */
export async function step<T>(page: Page, description: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const screenshot = await saveScreenshot(page, `failure-${slug(description)}`);
    const cause = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const stepError = new Error(`${description}: ${cause}${screenshot ? ` (screenshot: ${screenshot})` : ''}`, { cause: error });
    screenshotted.add(stepError);
    throw stepError;
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}
