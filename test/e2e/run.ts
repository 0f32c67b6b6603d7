// `npm run test:e2e [host|ui]`: packages the extension, then runs the in-host suites (mocha in the
// extension host of code-server) and the UI tests (node:test + Playwright) against the vsix.
//   T_ENV_SKIP_PACKAGE=1  use the existing vsix instead of building one
//   T_ENV_E2E_VSIX=path   test this vsix (default dist-vsix/t-env.vsix)
//   T_ENV_E2E_GREP=text   only tests whose name contains text
//   T_ENV_E2E_FILES=a,b   only the UI test files whose name contains a or b (e.g. savings)
// Everything else in the environment (KUBECONFIG, PATH) reaches the extension host.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ensureCodeServer } from './code-server.ts';
import { bundleHostSuites } from './host-bundle.ts';
import { runHostTests } from './host-runner.ts';
import { log, secondsSince } from './log.ts';
import { defaultVsixPath, repoNode, repoRoot } from './paths.ts';
import { killTree, runInherited, stopTree } from './processes.ts';
import { ensureChromium } from './system-packages.ts';
import { registerTeardown } from './teardown.ts';
import { createTempDir, createWorkspace } from './temp-dirs.ts';

const parts = ['host', 'ui'] as const;
type Part = (typeof parts)[number];

async function main(): Promise<number> {
  const start = Date.now();
  const selected = selectedParts(process.argv.slice(2));
  await ensureChromium();
  await ensureCodeServer();
  const vsixPath = path.resolve(process.env['T_ENV_E2E_VSIX'] ?? defaultVsixPath);
  if (process.env['T_ENV_SKIP_PACKAGE'] === '1') {
    log('package', `skipped (T_ENV_SKIP_PACKAGE=1), testing ${vsixPath}`);
  } else {
    await packageExtension(vsixPath);
  }
  if (!fs.existsSync(vsixPath)) throw new Error(`no extension to test at ${vsixPath}; run without T_ENV_SKIP_PACKAGE=1`);

  const results: { part: Part; code: number; seconds: string }[] = [];
  for (const part of selected) {
    const partStart = Date.now();
    log(part, 'starting');
    let code: number;
    try {
      code = part === 'host' ? await hostTests(vsixPath) : await uiTests(vsixPath);
    } catch (error) {
      // A harness failure (timeout, crash) fails this part; the other part still runs.
      log(part, `failed: ${error instanceof Error ? error.message : String(error)}`);
      code = 1;
    }
    results.push({ part, code, seconds: secondsSince(partStart) });
  }
  for (const { part, code, seconds } of results) {
    log('summary', `${part === 'host' ? 'in-host suites' : 'UI tests'}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds}`);
  }
  log('summary', `total ${secondsSince(start)}`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

function selectedParts(args: readonly string[]): readonly Part[] {
  if (args.length === 0) return parts;
  const unknown = args.filter((arg) => !(parts as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}; expected any of: ${parts.join(', ')}`);
  return parts.filter((part) => args.includes(part));
}

/** The production build and `vsce package`, as `npm run package` does, but on the repo's Node 24. */
async function packageExtension(vsixPath: string): Promise<void> {
  const start = Date.now();
  await runInherited(repoNode, ['esbuild.mjs', '--production'], { cwd: repoRoot });
  fs.mkdirSync(path.dirname(vsixPath), { recursive: true });
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  // The same flags as `npm run package` (README images need a base URL outside GitHub).
  await runInherited(repoNode, [vsce, 'package', '--no-dependencies', '--baseContentUrl', 'https://example.invalid/t-env/blob/main/', '--baseImagesUrl', 'https://example.invalid/t-env/raw/main/', '--out', vsixPath], { cwd: repoRoot });
  log('package', `${vsixPath} in ${secondsSince(start)}`);
}

async function hostTests(vsixPath: string): Promise<number> {
  const bundleDir = createTempDir('t-env-e2e-host-');
  const workspace = createWorkspace();
  try {
    const testsEntry = await bundleHostSuites(bundleDir.path);
    return await runHostTests({ vsixPath, testsEntry, folder: workspace.folder, env: {} });
  } finally {
    workspace.remove();
    bundleDir.remove();
  }
}

/** Runs `node --test` over test/e2e/ui/*.test.ts, one file at a time (each starts its own workbench). */
async function uiTests(vsixPath: string): Promise<number> {
  const uiDir = path.join(repoRoot, 'test', 'e2e', 'ui');
  const only = (process.env['T_ENV_E2E_FILES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const files = fs.readdirSync(uiDir).filter((file) => file.endsWith('.test.ts') && (only.length === 0 || only.some((o) => file.includes(o))))
    .sort().map((file) => path.join(uiDir, file));
  if (files.length === 0) throw new Error(`no UI test file matches T_ENV_E2E_FILES=${only.join(',')}`);
  const grep = process.env['T_ENV_E2E_GREP'];
  const args = ['--test', '--test-concurrency=1', '--test-reporter=spec', ...(grep ? [`--test-name-pattern=${grep}`] : []), ...files];
  // Its own process group, so teardown can stop the runner and the test processes together; each
  // test process then stops its own code-server and browser on SIGTERM.
  const child = spawn(repoNode, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, T_ENV_E2E_VSIX: vsixPath },
  });
  const unregister = registerTeardown('UI tests', () => stopTree(child, 12_000), () => {
    if (child.pid !== undefined) killTree(child.pid, 'SIGTERM');
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    unregister();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  // Harness errors say what failed and where its log is; the stack only with T_ENV_E2E_DEBUG=1.
  const detail = error instanceof Error ? (process.env['T_ENV_E2E_DEBUG'] === '1' ? error.stack : error.message) : String(error);
  console.error(`test:e2e failed: ${detail}`);
  process.exitCode = 1;
}
