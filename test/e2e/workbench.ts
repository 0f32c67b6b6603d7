// A real VS Code workbench for UI tests: code-server with the packaged extension, Chromium on it,
// ready once `.monaco-workbench` is on screen.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot, step } from './browser.ts';
import type { RunningBrowser } from './browser.ts';
import { onConsoleText } from './console-format.ts';
import { artifactsDir } from './paths.ts';
import { log, secondsSince } from './log.ts';
import { startCodeServer } from './server.ts';
import type { RunningCodeServer } from './server.ts';

export interface WorkbenchOptions {
  /** Installed into the fresh extensions dir (the in-host runner may load a development path instead). */
  readonly vsixPath?: string;
  readonly folder: string;
  /** Reaches the extension host (KUBECONFIG, PATH with fixture executables, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** false: restricted mode. Default true. */
  readonly trust?: boolean;
  /** User settings merged over the harness defaults. */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly smokeDriver?: boolean;
  /** Extra workbench URL parameters (the in-host runner's `payload`), possibly depending on the server. */
  readonly query?: Readonly<Record<string, string>> | ((server: RunningCodeServer) => Readonly<Record<string, string>>);
  /** Runs after the page exists and before it navigates (exposeFunction, listeners). */
  readonly beforeOpen?: (page: Page) => Promise<void>;
  /** Names artifacts: `.test-artifacts/code-server-<name>.log`, `console-<name>.log`. Default `workbench`. */
  readonly name?: string;
  /** Skip waiting for `.monaco-workbench` (the in-host runner waits for the exit call instead). */
  readonly waitForWorkbench?: boolean;
}

export interface Workbench {
  readonly url: string;
  readonly page: Page;
  readonly browser: Browser;
  readonly port: number;
  readonly server: RunningCodeServer;
  /** Saves `.test-artifacts/<name>.png`. */
  screenshot(name: string): Promise<string | undefined>;
  /** Closes the browser, stops code-server, deletes the temp dirs; safe to call twice. */
  stop(): Promise<void>;
}

const workbenchTimeoutMs = 90_000;

/** Starts code-server and a browser on it; stops both again if the workbench does not come up. */
export async function startWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const start = Date.now();
  const name = options.name ?? 'workbench';
  const server = await startCodeServer({
    folder: options.folder,
    env: options.env,
    name,
    ...(options.vsixPath ? { vsixPath: options.vsixPath } : {}),
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.smokeDriver ? { smokeDriver: true } : {}),
  });
  let browser: RunningBrowser | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await browser?.stop();
      await server.stop();
    })();
    return stopping;
  };
  try {
    browser = await launchChromium();
    const { page } = browser;
    recordConsole(page, path.join(artifactsDir, `console-${name}.log`));
    await options.beforeOpen?.(page);
    const url = server.workbenchUrl(typeof options.query === 'function' ? options.query(server) : options.query);
    await step(page, `open ${server.origin}`, () => page.goto(url, { timeout: 30_000 }));
    if (options.waitForWorkbench !== false) {
      await step(page, 'wait for the workbench (.monaco-workbench)', () =>
        page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: workbenchTimeoutMs }));
      log('workbench', `ready after ${secondsSince(start)}`);
    }
    return {
      url,
      page,
      browser: browser.browser,
      port: server.port,
      server,
      screenshot: (shot) => saveScreenshot(page, shot),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Appends every browser console message, `%s`-formatted, to `file` (for debugging failed runs). */
function recordConsole(page: Page, file: string): void {
  fs.writeFileSync(file, '');
  onConsoleText(page, (text, message) => fs.appendFileSync(file, `[${message.type()}] ${text}\n`));
  page.on('pageerror', (error) => {
    fs.appendFileSync(file, `[pageerror] ${util.inspect(error)}\n`);
  });
}
