// Runs mocha suites inside the extension host of code-server: the smoke-test driver plus the
// `payload` URL parameter make the workbench load `extensionTestsPath`; the result comes back
// through `window.codeAutomationExit`, the test output as browser console messages.
import fs from 'node:fs';
import path from 'node:path';
import { markedText, onConsoleText } from './console-format.ts';
import { artifactsDir } from './paths.ts';
import { log, secondsSince } from './log.ts';
import { startWorkbench } from './workbench.ts';
import type { Workbench } from './workbench.ts';

export interface HostTestOptions {
  /** Installed into the fresh extensions dir; the default development path is its installed folder. */
  readonly vsixPath?: string;
  /** The extension under test; default: where `vsixPath` got installed (so the packaged files are tested). */
  readonly extensionDevelopmentPath?: string;
  /** The bundled entry exporting `run()`, from `bundleHostSuites()`. */
  readonly testsEntry: string;
  readonly folder: string;
  readonly env: Readonly<Record<string, string>>;
  readonly trust?: boolean;
  /** How long the whole run may take before it counts as hung. Default 5 min. */
  readonly timeoutMs?: number;
}

/**
 * Prefixes the in-host suites' console output (see host/index.ts), which reaches the page mixed
 * with the workbench's own log lines.
 */
const outputMarker = '⟦t-env host⟧ ';

/** Runs the suites and resolves with their exit code (0: all passed). Everything it starts is stopped again. */
export async function runHostTests(options: HostTestOptions): Promise<number> {
  if (!options.vsixPath && !options.extensionDevelopmentPath) {
    throw new Error('runHostTests needs vsixPath or extensionDevelopmentPath');
  }
  const start = Date.now();
  const timeoutMs = options.timeoutMs ?? 300_000;
  let exited: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => {
    exited = resolve;
  });
  let flushConsole: () => Promise<void> = () => Promise.resolve();
  const workbenchErrors: string[] = [];
  let sawHostOutput = false;
  let workbench: Workbench | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    workbench = await startWorkbench({
      name: 'host',
      folder: options.folder,
      env: { ...options.env, T_ENV_E2E_OUTPUT_MARKER: outputMarker },
      smokeDriver: true,
      waitForWorkbench: false,
      ...(options.vsixPath ? { vsixPath: options.vsixPath } : {}),
      ...(options.trust === undefined ? {} : { trust: options.trust }),
      beforeOpen: async (page) => {
        flushConsole = onConsoleText(page, (text, message) => {
          const hostText = markedText(text, outputMarker);
          if (hostText !== undefined) {
            sawHostOutput = true;
            process.stdout.write(`${hostText}\n`);
          } else if (message.type() === 'error' && !harmlessNoise.test(text)) workbenchErrors.push(text);
        });
        await page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
          saveExitLogs(logs);
          exited(typeof code === 'number' ? code : 1);
        });
      },
      // Read by the workbench only with the smoke-test driver on; paths are on the server's side.
      query: (server) => {
        const remote = (file: string) => `vscode-remote://127.0.0.1:${server.port}${file}`;
        const extensionPath = options.extensionDevelopmentPath ?? installedExtensionDir(server.extensionsDir);
        return {
          payload: JSON.stringify([
            ['extensionDevelopmentPath', remote(extensionPath)],
            ['extensionTestsPath', remote(options.testsEntry)],
          ]),
        };
      },
    });
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`in-host tests did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const code = await Promise.race([exitCode, timeout]);
    await flushConsole();
    // Suites that failed to load (syntax error, missing module) print nothing: the reason is a workbench error.
    if (code !== 0 && !sawHostOutput) reportWorkbenchErrors(workbenchErrors);
    log('host tests', `exit code ${code} after ${secondsSince(start)}`);
    return code;
  } catch (error) {
    await flushConsole();
    reportWorkbenchErrors(workbenchErrors);
    if (workbench) await workbench.screenshot('failure-host-tests');
    throw error;
  } finally {
    clearTimeout(timer);
    await workbench?.stop();
  }
}

/**
 * Errors every run logs on this offline machine (extension gallery, GitHub auth, missing static
 * files), and host/index.ts's own summary of failed tests, which mocha's output already shows.
 */
const harmlessNoise = /open-vsx\.org|ENOTFOUND|Failed to load resource|github|Timed out waiting for authentication provider|Canceled: Canceled|in-host test\(s\) failed/i;

function reportWorkbenchErrors(errors: readonly string[]): void {
  if (errors.length === 0) return;
  log('host tests', `workbench errors (all console output: .test-artifacts/console-host.log):`);
  for (const error of errors.slice(0, 20)) process.stderr.write(`  ${error.split('\n').slice(0, 6).join('\n  ')}\n`);
}

/** The one extension installed from the vsix into a fresh extensions dir. */
function installedExtensionDir(extensionsDir: string): string {
  const dirs = fs.readdirSync(extensionsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
  if (dirs.length !== 1) {
    throw new Error(`expected exactly one installed extension in ${extensionsDir}, found: ${dirs.map((d) => d.name).join(', ') || 'none'}`);
  }
  return path.join(extensionsDir, dirs[0]!.name);
}

/** The smoke driver hands over the workbench's log files on exit; keep them with the other artifacts. */
function saveExitLogs(logs: unknown): void {
  if (!Array.isArray(logs)) return;
  const dir = path.join(artifactsDir, 'host-logs');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const entry of logs as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { relativePath, contents } = entry as { relativePath?: unknown; contents?: unknown };
    if (typeof relativePath !== 'string' || typeof contents !== 'string') continue;
    const file = path.join(dir, path.normalize(relativePath).replace(/^(\.\.(\/|$))+/, ''));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
}
