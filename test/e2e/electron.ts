// `npm run test:electron`: the in-host suites in a desktop VS Code downloaded by @vscode/test-electron,
// with the repo itself as the development extension. Needs internet (update.code.visualstudio.com)
// and, on Linux without a display, xvfb-run; `npm run test:e2e` is the offline equivalent.
import fs from 'node:fs';
import path from 'node:path';
import { downloadAndUnzipVSCode, runTests, TestRunFailedError } from '@vscode/test-electron';
import { bundleHostSuites } from './host-bundle.ts';
import { cacheRoot, repoNode, repoRoot } from './paths.ts';
import { runInherited } from './processes.ts';
import { createTempDir, createWorkspace } from './temp-dirs.ts';

const version = process.env['T_ENV_VSCODE_VERSION'] ?? 'stable';

async function main(): Promise<number> {
  let vscodeExecutablePath: string;
  const cachePath = path.join(cacheRoot(), 'vscode-test');
  fs.mkdirSync(cachePath, { recursive: true });
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.error(`test:electron could not download VS Code ${version} (${reason}); without internet run \`npm run test:e2e\` instead.`);
    return 1;
  }
  if (process.env['T_ENV_SKIP_PACKAGE'] !== '1') {
    await runInherited(repoNode, ['esbuild.mjs'], { cwd: repoRoot });
  }
  const tmp = createTempDir('t-env-electron-');
  const workspace = createWorkspace();
  try {
    const testsEntry = await bundleHostSuites(path.join(tmp.path, 'host'));
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsEntry,
      launchArgs: [
        workspace.folder,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', path.join(tmp.path, 'user-data'),
        '--extensions-dir', path.join(tmp.path, 'extensions'),
      ],
    });
  } catch (error) {
    if (error instanceof TestRunFailedError) return error.code ?? 1;
    throw error;
  } finally {
    workspace.remove();
    tmp.remove();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  // Harness errors say what failed and where its log is; the stack only with T_ENV_E2E_DEBUG=1.
  const detail = error instanceof Error ? (process.env['T_ENV_E2E_DEBUG'] === '1' ? error.stack : error.message) : String(error);
  console.error(`test:electron failed: ${detail}`);
  process.exitCode = 1;
}
