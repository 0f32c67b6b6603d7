// One code-server process on a free loopback port, with its own user-data, extensions, config and
// home directories in a temp dir; the packaged extension installed into it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureCodeServer } from './code-server.ts';
// code-server cannot bind port 0 and report it: pick a free port first.
import { freePort } from '../cluster/cluster.ts';
import { artifactsDir } from './paths.ts';
import { log, secondsSince } from './log.ts';
import { killTree, runLogged, stopTree, withoutOuterNpm } from './processes.ts';
import { registerTeardown } from './teardown.ts';

export interface CodeServerOptions {
  /** The workspace folder to open. */
  readonly folder: string;
  /** Added to the server's environment, which the extension host inherits (KUBECONFIG, PATH, HOME, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Installed with `--install-extension` before the server starts. */
  readonly vsixPath?: string;
  /** false: keep workspace trust on, so the folder opens in restricted mode. Default true. */
  readonly trust?: boolean;
  /** Merged over the default user settings. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Starts with `--vscode-option enable-smoke-test-driver`, which the `payload` URL parameter needs. */
  readonly smokeDriver?: boolean;
  /** Names the log file `.test-artifacts/code-server-<name>.log`. */
  readonly name?: string;
}

export interface RunningCodeServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly folder: string;
  readonly extensionsDir: string;
  readonly userDataDir: string;
  /** The server's combined stdout and stderr. */
  readonly logFile: string;
  /** The workbench URL for the folder, plus extra query parameters. */
  workbenchUrl(query?: Readonly<Record<string, string>>): string;
  /** Stops the whole process tree and deletes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

/** The user settings every run starts with: no welcome page, telemetry, updates or trust prompt. */
const defaultSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // With trust enabled (trust: false), open in restricted mode without a modal dialog.
  'security.workspace.trust.startupPrompt': 'never',
};

const healthTimeoutMs = 60_000;

/** Starts code-server and resolves once it answers /healthz. */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const { codeServerBin, nodeBin } = await ensureCodeServer();
  const name = options.name ?? 'run';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 't-env-e2e-'));
  const dirs = {
    userData: path.join(tmp, 'user-data'),
    extensions: path.join(tmp, 'extensions'),
    config: path.join(tmp, 'config'),
    data: path.join(tmp, 'data'),
    home: path.join(tmp, 'home'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...defaultSettings, ...options.settings }, null, 2));
  fs.mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `code-server-${name}.log`);
  fs.writeFileSync(logFile, '');

  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    // code-server writes config.yaml and state on any run; keep them out of the real home.
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    // An empty home: the extension must not see the developer's ~/.kube/config or ~/.okteto.
    HOME: dirs.home,
    ...options.env,
  };
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  let child: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child) await stopTree(child);
      fs.rmSync(tmp, { recursive: true, force: true });
      unregister();
    })();
    return stopping;
  };
  const unregister = registerTeardown(`code-server (${name})`, stop, () => {
    if (child?.pid !== undefined) killTree(child.pid, 'SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  try {
    if (options.vsixPath) {
      await runLogged(nodeBin, [codeServerBin, ...common, '--install-extension', options.vsixPath], {
        cwd: tmp, env, logFile, label: 'install extension',
      });
    }
    const port = await freePort();
    const args = [
      codeServerBin,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(options.trust === false ? [] : ['--disable-workspace-trust']),
      ...(options.smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ...common,
      options.folder,
    ];
    const out = fs.openSync(logFile, 'a');
    child = spawn(nodeBin, args, { cwd: tmp, env, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    const origin = `http://127.0.0.1:${port}`;
    log('code-server', `starting on ${origin} (log: ${logFile})`);
    await waitForHealth(origin, child, logFile);
    return {
      port,
      origin,
      folder: options.folder,
      extensionsDir: dirs.extensions,
      userDataDir: dirs.userData,
      logFile,
      workbenchUrl: (query = {}) => `${origin}/?${new URLSearchParams({ folder: options.folder, ...query }).toString()}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The runner's environment minus what would confuse code-server: VSCODE_* (inside a VS Code terminal,
 * VSCODE_IPC_HOOK_CLI turns code-server into a client of that window), NODE_OPTIONS and node:test's
 * NODE_TEST_CONTEXT, and the outer npm's variables (`withoutOuterNpm`).
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(withoutOuterNpm())) {
    if (key.startsWith('VSCODE_') || key === 'NODE_OPTIONS' || key === 'NODE_TEST_CONTEXT') continue;
    env[key] = value;
  }
  return env;
}

async function waitForHealth(origin: string, child: ChildProcess, logFile: string): Promise<void> {
  const start = Date.now();
  let lastError = 'no answer yet';
  while (Date.now() - start < healthTimeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering ${origin}/healthz; log ${logFile}:\n${tailOf(logFile)}`);
    }
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        log('code-server', `healthy after ${secondsSince(start)}`);
        return;
      }
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${healthTimeoutMs / 1000} s (last: ${lastError}); log ${logFile}:\n${tailOf(logFile)}`);
}

function tailOf(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
