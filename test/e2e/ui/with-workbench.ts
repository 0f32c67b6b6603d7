// Shared setup of the UI tests: a real workbench with the vsix that run.ts built (T_ENV_E2E_VSIX),
// either shared by the tests of one describe() (useWorkbench) or for one test (withWorkbench).
import fs from 'node:fs';
import { after, before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { hasScreenshot, saveScreenshot } from '../browser.ts';
import { defaultVsixPath } from '../paths.ts';
import { startWorkbench } from '../workbench.ts';
import type { Workbench } from '../workbench.ts';
import { createWorkspace } from '../temp-dirs.ts';

export interface UiWorkbenchOptions {
  /** Artifact names (`code-server-<name>.log`, `console-<name>.log`, `failure-<name>-*.png`). */
  readonly name: string;
  /** Workspace files (relative path → contents); default: an okteto.yml that activates the extension. */
  readonly files?: Readonly<Record<string, string>>;
  /** Runs in the workspace folder before the workbench opens it (e.g. to make it a git repository). */
  readonly prepare?: (folder: string) => void;
  /** Reaches the extension host, over the runner's own environment (KUBECONFIG, PATH, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** false: restricted mode. */
  readonly trust?: boolean;
  readonly settings?: Readonly<Record<string, unknown>>;
}

export type UiTest = (context: { readonly page: Page; readonly workbench: Workbench }) => Promise<void>;

/** The vsix under test: what run.ts built, else dist-vsix/t-env.vsix (when a test file runs alone). */
export function vsixUnderTest(): string {
  const vsix = process.env['T_ENV_E2E_VSIX'] ?? defaultVsixPath;
  if (!fs.existsSync(vsix)) throw new Error(`no vsix at ${vsix}: run \`npm run test:e2e\` or \`npm run package\` first`);
  return vsix;
}

/** Starts a workspace and workbench; both are removed by `stop()`. */
async function open(options: UiWorkbenchOptions): Promise<Workbench> {
  const workspace = createWorkspace(options.files);
  try {
    options.prepare?.(workspace.folder);
    const workbench = await startWorkbench({
      name: options.name,
      vsixPath: vsixUnderTest(),
      folder: workspace.folder,
      env: options.env ?? {},
      ...(options.trust === undefined ? {} : { trust: options.trust }),
      ...(options.settings ? { settings: options.settings } : {}),
    });
    return {
      ...workbench,
      stop: async () => {
        await workbench.stop();
        workspace.remove();
      },
    };
  } catch (error) {
    workspace.remove();
    throw error;
  }
}

/** Runs `test`; if it throws, saves `.test-artifacts/failure-<name>-<test>.png` and rethrows. */
async function runWithScreenshot(workbench: Workbench, name: string, testName: string, test: UiTest): Promise<void> {
  try {
    await test({ page: workbench.page, workbench });
  } catch (error) {
    if (hasScreenshot(error)) throw error;
    const slug = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50);
    const shot = await saveScreenshot(workbench.page, `failure-${name}-${slug}`);
    if (shot && error instanceof Error) error.message += `\n(screenshot: ${shot})`;
    throw error;
  }
}

/**
 * One workbench for all tests of the enclosing describe(): started in `before`, stopped in `after`
 * (startup takes ~20 s). Register tests with the returned `it`.
 */
export function useWorkbench(options: UiWorkbenchOptions): { it(testName: string, test: UiTest): void } {
  let workbench: Workbench | undefined;
  before(async () => {
    workbench = await open(options);
  }, { timeout: 180_000 });
  after(async () => {
    await workbench?.stop();
  }, { timeout: 60_000 });
  return {
    it(testName, test) {
      void it(testName, { timeout: 120_000 }, async () => {
        if (!workbench) throw new Error('the workbench did not start (see the before hook)');
        await runWithScreenshot(workbench, options.name, testName, test);
      });
    },
  };
}

/** A workbench of its own for one test (e.g. restricted mode), always stopped afterwards. */
export async function withWorkbench(options: UiWorkbenchOptions, test: UiTest): Promise<void> {
  const workbench = await open(options);
  try {
    await runWithScreenshot(workbench, options.name, 'test', test);
  } finally {
    await workbench.stop();
  }
}
