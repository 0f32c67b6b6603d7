// The okteto CLI and its files: finding the manifest and the binary, running `okteto up`/`down`
// with argument arrays (never a shell string), and following `okteto up` through the state file
// ~/.okteto/<namespace>/<service>/okteto.state and the pid in okteto.pid.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { execa } from 'execa';
import { asError, CancelledError, CliFailedError, CliMissingError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import {
  compareVersions, devOnlyManifest, MANIFEST_NAMES, MAX_MANIFEST_BYTES, MIN_OKTETO_VERSION, oktetoStateLabel, parseOktetoManifest, parseOktetoState, parseOktetoVersion,
} from '../core/okteto-manifest.ts';
import type { OktetoManifest, OktetoState } from '../core/okteto-manifest.ts';

export const OKTETO_INSTALL_URL = 'https://www.okteto.com/docs/get-started/install-okteto-cli/';

// --- the manifest -----------------------------------------------------------------------------

/**
 * The manifest for a workspace folder: `override` (the `tenv.manifestPath` setting, relative to
 * the folder or absolute) when given, else the first of the CLI's own names that exists.
 */
export async function findManifest(folder: string, override?: string): Promise<string> {
  if (override) {
    const file = path.resolve(folder, override);
    if (!(await isFile(file))) {
      throw new NotFoundError(`The okteto manifest "${file}" (setting tenv.manifestPath)`, 'Fix the tenv.manifestPath setting or clear it to use okteto.yml.');
    }
    return file;
  }
  for (const name of MANIFEST_NAMES) {
    const file = path.join(folder, name);
    if (await isFile(file)) return file;
  }
  throw new NotFoundError(`An okteto manifest in ${folder} (${MANIFEST_NAMES.join(', ')})`,
    'Create okteto.yml with a dev section, or set tenv.manifestPath.');
}

/** Reads and parses a manifest; errors name `displayName` (default: the path) and the line. */
export async function loadManifest(file: string, displayName = file): Promise<OktetoManifest> {
  let text: string;
  try {
    // Bounded before reading: a wrong tenv.manifestPath may point at a huge file.
    const size = (await fsp.stat(file)).size;
    if (size > MAX_MANIFEST_BYTES) {
      throw new InvalidInputError(`${displayName}: the okteto manifest is ${(size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_MANIFEST_BYTES / 1024 / 1024} MB limit.`,
        'Point tenv.manifestPath (or -f) at the okteto manifest itself.');
    }
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`${displayName}: cannot read the okteto manifest (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return parseOktetoManifest(text, displayName);
}

/** A dev-only manifest written for okteto (see devOnlyManifest); `remove()` deletes it. */
export interface DerivedManifest {
  path: string;
  remove(): Promise<void>;
}

/**
 * Writes the dev-only manifest okteto needs when `manifest` has platform sections: in a private
 * temporary folder (0700, the file 0600), outside the workspace so that nothing shows up in git
 * or in okteto's own sync. Undefined when okteto can read `file` as it is.
 */
export async function writeDerivedManifest(manifest: OktetoManifest, file: string): Promise<DerivedManifest | undefined> {
  const text = devOnlyManifest(manifest, path.dirname(path.resolve(file)));
  if (text === undefined) return undefined;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 't-env-okteto-'));
  const derived = path.join(dir, path.basename(file).endsWith('.yaml') ? 'okteto.yaml' : 'okteto.yml');
  await fsp.writeFile(derived, text, { mode: 0o600 });
  return { path: derived, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch {
    return false;
  }
}

// --- ~/.okteto -------------------------------------------------------------------------------

/** `<home>/.okteto/<namespace>/<service>`: where `okteto up` keeps okteto.state, okteto.pid, okteto.log. */
export function stateDir(home: string, namespace: string, service: string): string {
  return path.join(home, '.okteto', namespace, service);
}

/** The service's folder as the CLI computes it: OKTETO_FOLDER, else OKTETO_HOME or HOME + `.okteto`. */
export function sessionDir(namespace: string, service: string, env: NodeJS.ProcessEnv = process.env): string {
  const folder = env['OKTETO_FOLDER'];
  if (folder) return path.join(folder, namespace, service);
  return stateDir(env['OKTETO_HOME'] ?? env['HOME'] ?? os.homedir(), namespace, service);
}

/** Whether a process exists (EPERM: it does, but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await fsp.readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function tailFile(file: string, lines: number): Promise<string[]> {
  try {
    const text = await fsp.readFile(file, 'utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-lines);
  } catch {
    return [];
  }
}

/** What is left of an `okteto up` session on disk. */
export interface OktetoSession {
  namespace: string;
  service: string;
  dir: string;
  state: OktetoState | undefined;
  /** The text after `failed:`, if any. */
  message: string | undefined;
  /** When the state file was last written. */
  updatedAt: Date | undefined;
  pid: number | undefined;
  /** The pid in okteto.pid is a running process: `okteto up` is still going. */
  alive: boolean;
}

/**
 * Reads a session's state and pid, e.g. to re-attach to a running `okteto up` after a VS Code
 * reload (then watch it with `new OktetoSessionWatcher({ ..., pid })`). Undefined when there is
 * neither a state file nor a pid file.
 */
export async function readSession(namespace: string, service: string, options: { env?: NodeJS.ProcessEnv; home?: string } = {}): Promise<OktetoSession | undefined> {
  const dir = options.home ? stateDir(options.home, namespace, service) : sessionDir(namespace, service, options.env);
  const pid = await readPid(path.join(dir, 'okteto.pid'));
  let text: string | undefined;
  let updatedAt: Date | undefined;
  try {
    const file = path.join(dir, 'okteto.state');
    [text, updatedAt] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file).then((s) => s.mtime)]);
  } catch { /* no state file */ }
  if (text === undefined && pid === undefined) return undefined;
  const parsed = text === undefined ? undefined : parseOktetoState(text);
  return {
    namespace, service, dir, pid, updatedAt,
    state: parsed?.state, message: parsed?.message,
    alive: pid !== undefined && isProcessAlive(pid),
  };
}

/**
 * Stops a running `okteto up` of this dev name before `okteto down`. While `up` is still
 * starting, a `down` succeeds but `up` reconnects and puts the dev copy, the scaled-down original
 * and its secret back (okteto cmd/up/up.go), so `up` goes first: SIGINT, which okteto handles by
 * removing its pid file and exiting 0; then the wait for that pid file to go. SIGKILL after
 * `timeoutMs` (default 10 s). Returns what it found: no running `up`, stopped, or killed.
 */
export async function stopUp(namespace: string, devName: string, options: { env?: NodeJS.ProcessEnv; home?: string; timeoutMs?: number; signal?: AbortSignal | undefined } = {}): Promise<'none' | 'stopped' | 'killed'> {
  const session = await readSession(namespace, devName, options);
  if (!session?.alive || session.pid === undefined) return 'none';
  const pid = session.pid;
  const pidFile = path.join(session.dir, 'okteto.pid');
  const gone = (): boolean => !fs.existsSync(pidFile) || !isProcessAlive(pid);
  const wait = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (options.signal?.aborted) throw new CancelledError('Stop Dev');
      if (gone()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return gone();
  };
  try { process.kill(pid, 'SIGINT'); } catch { return 'stopped'; }
  if (await wait(options.timeoutMs ?? 10_000)) return 'stopped';
  try { process.kill(pid, 'SIGKILL'); } catch { /* ended meanwhile */ }
  await wait(2000);
  return 'killed';
}

// --- the binary ------------------------------------------------------------------------------

/** What `okteto up`/`down` act on. */
export interface DevTarget {
  service: string;
  /** Path of the manifest (`-f`). */
  manifest: string;
  namespace: string;
  /** Kube context (`-c`); the kubeconfig's current one when absent. */
  context?: string | undefined;
  /** Working directory for okteto: the original manifest's folder when `manifest` is a derived one. */
  cwd?: string | undefined;
}

export interface OktetoRunOptions {
  signal?: AbortSignal | undefined;
  /** Working directory; the manifest's folder by default (okteto resolves sync paths from it). */
  cwd?: string | undefined;
}

/** A running `okteto up` started by `OktetoCli.spawnUp`. */
export interface OktetoUpProcess {
  readonly pid: number | undefined;
  /** Resolves on the child's `spawn` event; rejects with CliMissingError if it could not start. */
  readonly spawned: Promise<void>;
  /** Resolves when the process ends (never rejects). */
  readonly exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
  /** The last output lines (stdout and stderr, without colours); empty with inherited stdio. */
  tail(lines?: number): string[];
  /** Writes to the process's stdin (piped stdio only). */
  write(text: string): void;
  kill(signal?: NodeJS.Signals): void;
}

const VERSION_TIMEOUT_MS = 10_000;
const DOWN_TIMEOUT_MS = 5 * 60_000;
const TAIL_LINES = 20;

/** The okteto CLI: a located, version-checked binary and the environment it runs with. */
export class OktetoCli {
  readonly path: string;
  readonly version: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(file: string, version: string, env: NodeJS.ProcessEnv = process.env) {
    this.path = file;
    this.version = version;
    // Without it, a sync folder lacking `.stignore` makes `up` ask [Y/n] before anything else
    // (okteto cmd/up/stignore.go), which nobody sees in a background start.
    this.env = { ...env, OKTETO_AUTOGENERATE_STIGNORE: 'true' };
  }

  /**
   * Finds okteto: `settingPath` (tenv.oktetoPath) when set, else the first executable `okteto`
   * on PATH; then checks `okteto version` against MIN_OKTETO_VERSION. Absence, a file that is not
   * executable or an old version is a CliMissingError (Install / Open Settings), never a spawn error.
   */
  static async locate(settingPath?: string, env: NodeJS.ProcessEnv = process.env, options: { timeoutMs?: number } = {}): Promise<OktetoCli> {
    let file: string;
    if (settingPath) {
      file = expandHome(settingPath, env);
      const problem = await executableProblem(file);
      if (problem) throw new CliMissingError(`The okteto CLI set in tenv.oktetoPath (${file}) ${problem}.`, `Fix tenv.oktetoPath, or install okteto: ${OKTETO_INSTALL_URL}`);
    } else {
      const found = await findOnPath('okteto', env);
      if (!found) throw new CliMissingError('The okteto CLI was not found on PATH.', `Install it (${OKTETO_INSTALL_URL}) or set tenv.oktetoPath.`);
      file = found;
    }
    const result = await execa(file, ['version'], {
      env, extendEnv: false, reject: false, timeout: options.timeoutMs ?? VERSION_TIMEOUT_MS, stdin: 'ignore', all: true, stripFinalNewline: true,
    });
    if (result.failed) {
      const why = result.timedOut ? `did not answer "okteto version" within ${seconds(options.timeoutMs ?? VERSION_TIMEOUT_MS)} s`
        : result.code ? `could not be run (${result.code})`
        : `failed on "okteto version" (exit code ${result.exitCode ?? result.signal ?? '?'}: ${lastLines(stripAnsi(result.all ?? ''), 1).join('') || 'no output'})`;
      throw new CliMissingError(`The okteto CLI at ${file} ${why}.`, `Reinstall okteto (${OKTETO_INSTALL_URL}) or set tenv.oktetoPath.`);
    }
    const version = parseOktetoVersion(stripAnsi(result.all ?? ''));
    if (!version) throw new CliMissingError(`The okteto CLI at ${file} printed no version ("${lastLines(result.all ?? '', 1).join('')}").`, `Reinstall okteto: ${OKTETO_INSTALL_URL}`);
    if (compareVersions(version, MIN_OKTETO_VERSION) < 0) {
      throw new CliMissingError(`Found okteto ${version} at ${file}, but T-Env needs okteto ${MIN_OKTETO_VERSION} or newer.`, `Upgrade okteto: ${OKTETO_INSTALL_URL}`);
    }
    return new OktetoCli(file, version, env);
  }

  /** `up <service> -f <manifest> -n <namespace> [-c <context>]`, one array element per argument. */
  upArgs(target: DevTarget): string[] {
    return ['up', checkPositional(target.service, 'service'), ...targetFlags(target)];
  }

  /** `down <service> -f <manifest> -n <namespace> [-c <context>] [-v]`. */
  downArgs(target: DevTarget, options: { volumes?: boolean } = {}): string[] {
    return ['down', checkPositional(target.service, 'service'), ...targetFlags(target), ...(options.volumes ? ['-v'] : [])];
  }

  /** Environment for the okteto process (the one `locate` was given). */
  processEnv(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  /**
   * Runs `okteto down`: restores the original replicas and deletes the `-okteto` copy. Returns
   * the output; a failure is a CliFailedError whose message is okteto's ` x  <message>` line.
   */
  async down(target: DevTarget, options: OktetoRunOptions & { volumes?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const manifest = path.resolve(target.manifest);
    const result = await execa(this.path, this.downArgs({ ...target, manifest }, options), {
      env: this.env, extendEnv: false, reject: false, all: true, stdin: 'ignore', cwd: options.cwd ?? target.cwd ?? path.dirname(manifest),
      timeout: options.timeoutMs ?? DOWN_TIMEOUT_MS, forceKillAfterDelay: 5000, stripFinalNewline: true,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    const output = stripAnsi(result.all ?? '');
    if (result.isCanceled) throw new CancelledError('okteto down');
    if (result.code === 'ENOENT' || result.code === 'EACCES') throw this.missing(result.code);
    if (result.failed) {
      const detail = result.timedOut ? `timed out after ${seconds(options.timeoutMs ?? DOWN_TIMEOUT_MS)} s` : oktetoErrorMessage(output);
      throw new CliFailedError(`okteto down ${target.service} failed: ${detail ?? `exit code ${result.exitCode ?? result.signal ?? '?'}`}`,
        result.exitCode, lastLines(output, TAIL_LINES).join('\n'));
    }
    return output;
  }

  /**
   * Starts `okteto up`. `stdio: 'pipe'` (default) captures output for `tail()` and lets the caller
   * write to stdin; `'inherit'` hands the terminal to okteto.
   */
  spawnUp(target: DevTarget, options: OktetoRunOptions & { stdio?: 'pipe' | 'inherit' } = {}): OktetoUpProcess {
    const inherit = options.stdio === 'inherit';
    const manifest = path.resolve(target.manifest);
    const child = execa(this.path, this.upArgs({ ...target, manifest }), {
      env: this.env, extendEnv: false, reject: false, cwd: options.cwd ?? target.cwd ?? path.dirname(manifest),
      forceKillAfterDelay: 5000,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      // okteto up runs until the user leaves its shell: nothing is buffered, lines go to tail().
      ...(inherit ? { stdio: 'inherit' as const } : { stdin: 'pipe' as const, stdout: 'pipe' as const, stderr: 'pipe' as const, buffer: false }),
    });
    const lines: string[] = [];
    let partial = '';
    const collect = (chunk: Buffer | string): void => {
      // Colours are stripped per line: an escape sequence may span two chunks.
      const parts = (partial + chunk.toString()).split(/\r?\n/);
      partial = parts.pop() ?? '';
      lines.push(...parts.map(stripAnsi).filter((l) => l.trim() !== ''));
      if (lines.length > 200) lines.splice(0, lines.length - 200);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const spawned = new Promise<void>((resolve, reject) => {
      child.nodeChildProcess.once('spawn', () => resolve());
      // Settling without a `spawn` event means it never started (a later reject is a no-op).
      void child.then((result) => reject(result.code === 'ENOENT' || result.code === 'EACCES' ? this.missing(result.code)
        : new CliFailedError(`okteto up could not start: ${result.shortMessage ?? result.code ?? 'unknown error'}`, result.exitCode, '')));
    });
    spawned.catch(() => { /* surfaced through `spawned` for whoever awaits it */ });
    const exited = child.then((result) => ({ exitCode: result.exitCode, signal: result.signal }));
    return {
      get pid() { return child.pid; },
      spawned,
      exited,
      tail: (n = TAIL_LINES) => [...lines, ...(partial.trim() ? [stripAnsi(partial)] : [])].slice(-n),
      write: (text) => { child.stdin?.write(text); },
      kill: (signal = 'SIGTERM') => { child.kill(signal); },
    };
  }

  /**
   * `okteto up` in the foreground for the `t` CLI: the terminal belongs to okteto until it ends.
   * Ctrl+C reaches okteto (same process group), which shuts down by itself; meanwhile this
   * process ignores SIGINT so that it outlives okteto and reports its exit code.
   */
  async runUpForeground(target: DevTarget, options: OktetoRunOptions = {}): Promise<{ exitCode: number | undefined; signal: string | undefined }> {
    const ignore = (): void => { /* okteto handles Ctrl+C */ };
    process.on('SIGINT', ignore);
    try {
      const up = this.spawnUp(target, { ...options, stdio: 'inherit' });
      await up.spawned;
      const result = await up.exited;
      if (options.signal?.aborted) throw new CancelledError('okteto up');
      return result;
    } finally {
      process.off('SIGINT', ignore);
    }
  }

  private missing(code: string): CliMissingError {
    return new CliMissingError(`The okteto CLI at ${this.path} can no longer be run (${code}).`, `Reinstall okteto (${OKTETO_INSTALL_URL}) or fix tenv.oktetoPath.`);
  }
}

function targetFlags(target: DevTarget): string[] {
  return ['-f', target.manifest, '-n', checkPositional(target.namespace, 'namespace'), ...(target.context ? ['-c', target.context] : [])];
}

/** A value starting with `-` would be read as a flag: Kubernetes names never do. */
function checkPositional(value: string, what: string): string {
  if (value === '' || value.startsWith('-')) throw new InvalidInputError(`"${value}" is not a valid ${what} name.`);
  return value;
}

function expandHome(file: string, env: NodeJS.ProcessEnv): string {
  if (file === '~' || file.startsWith('~/')) return path.join(env['HOME'] ?? os.homedir(), file.slice(1));
  return path.resolve(file);
}

async function executableProblem(file: string): Promise<string | undefined> {
  let stats: fs.Stats;
  try {
    stats = await fsp.stat(file);
  } catch {
    return 'does not exist';
  }
  if (!stats.isFile()) return 'is not a file';
  if (process.platform === 'win32') return undefined;
  try {
    await fsp.access(file, fs.constants.X_OK);
    return undefined;
  } catch {
    return 'is not executable';
  }
}

/** Looks a command up on PATH like a shell would (PATHEXT on Windows), without running one. */
export async function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(path.delimiter).filter(Boolean);
  const extensions = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of extensions) {
      const file = path.join(dir, command + ext);
      if (!(await executableProblem(file))) return file;
    }
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
}

function lastLines(text: string, n: number): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-n);
}

/** The message of okteto's last ` x  <message>` line (its error format), if there is one. */
export function oktetoErrorMessage(output: string | readonly string[]): string | undefined {
  const lines = typeof output === 'string' ? output.split(/\r?\n/) : output;
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^\s*x\s+(\S.*)$/.exec(stripAnsi(lines[i]!));
    if (match) return match[1]!.trim();
  }
  return undefined;
}

// --- following `okteto up` -------------------------------------------------------------------

export interface OktetoStateEvent {
  state: OktetoState;
  /** e.g. 'synchronizing files' */
  label: string;
  message: string | undefined;
  /** Epoch ms when the watcher saw the change. */
  at: number;
  /** Since the watcher started. */
  elapsedMs: number;
}

export type OktetoFailureReason = 'crashed' | 'exited' | 'timeout' | 'failed' | 'hangup';

/** The exit code of a process ended by SIGHUP (128 + 1): okteto does not handle it (a closed terminal). */
export const SIGHUP_EXIT_CODE = 129;

export interface OktetoFailure {
  /**
   * crashed: okteto.pid names a dead process; exited: okteto ended before ready; failed: the state
   * file said so; hangup: its terminal was closed (SIGHUP), leaving dev mode on in the cluster.
   */
  reason: OktetoFailureReason;
  state: OktetoState | undefined;
  lastLines: string[];
  /** One CliFailedError for reporting; its `output` holds `lastLines`. */
  error: CliFailedError;
}

export interface OktetoSessionEnd {
  /** The process died without cleaning up (its pid file is still there). */
  crashed: boolean;
  /** Ended by SIGHUP (its terminal closed): okteto left dev mode on; Stop Dev restores the workload. */
  hangup: boolean;
  exitCode: number | undefined;
  lastLines: string[];
}

export interface OktetoSessionWatcherOptions {
  namespace: string;
  service: string;
  /** The folder that holds `.okteto`; from OKTETO_FOLDER/OKTETO_HOME/HOME of `env` by default. */
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Failure when not ready within this time (tenv.devStartTimeoutSeconds); 0: no limit. Default 300 s. */
  timeoutMs?: number;
  /** When the state has not changed for this long, check that okteto is still alive. Default 2 s. */
  stallMs?: number;
  /** Starting a new `up`: ignore the state and pid files an earlier session left behind. */
  ignoreExisting?: boolean;
  /** The okteto process, when the caller knows it (spawned it, or the terminal's processId). */
  pid?: number;
  /** The last lines of okteto's output, when the caller sees it; okteto.log's tail otherwise. */
  outputTail?: () => readonly string[];
  now?: () => number;
}

interface WatcherEvents {
  state: [OktetoStateEvent];
  ready: [OktetoStateEvent];
  failed: [OktetoFailure];
  ended: [OktetoSessionEnd];
  warning: [Error];
}

/**
 * Follows one `okteto up` session through its state file with chokidar (file-system events, no
 * polling; a folder that does not exist yet is watched through its parent). Emits `state` for
 * each new state, `ready` once, and `failed` (a dead pid, the timeout, a `failed` state) before
 * ready or `ended` after it. Liveness is checked when the state stops changing and whenever the
 * pid file goes away. `dispose()` closes the watcher and every timer.
 */
export class OktetoSessionWatcher extends EventEmitter<WatcherEvents> {
  readonly dir: string;
  private readonly options: OktetoSessionWatcherOptions;
  private readonly statePath: string;
  private readonly pidPath: string;
  private readonly now: () => number;
  private watcher: FSWatcher | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private filePid: number | undefined;
  private exitCode: number | undefined;
  private exited = false;
  private readyEvent: OktetoStateEvent | undefined;
  private failure: OktetoFailure | undefined;
  private done = false;
  private reading: Promise<void> = Promise.resolve();
  /** The latest state seen. */
  current: OktetoStateEvent | undefined;

  constructor(options: OktetoSessionWatcherOptions) {
    super();
    this.options = options;
    this.now = options.now ?? Date.now;
    this.dir = options.home ? stateDir(options.home, options.namespace, options.service) : sessionDir(options.namespace, options.service, options.env);
    this.statePath = path.join(this.dir, 'okteto.state');
    this.pidPath = path.join(this.dir, 'okteto.pid');
  }

  /** Starts watching; resolves once the file watcher is in place. */
  async start(): Promise<void> {
    if (this.watcher) return;
    this.startedAt = this.now();
    const watcher = watch([this.statePath, this.pidPath], { ignoreInitial: this.options.ignoreExisting === true, persistent: true });
    this.watcher = watcher;
    watcher.on('all', (event, file) => {
      if (this.done) return;
      if (file === this.statePath && (event === 'add' || event === 'change')) this.queueRead();
      else if (file === this.pidPath && (event === 'add' || event === 'change')) void this.readPidFile();
      // okteto removes its pid file (and state file) when it ends cleanly.
      else if (event === 'unlink') this.scheduleCheck(50);
    });
    watcher.on('error', (error) => this.emit('warning', asError(error)));
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
    const timeoutMs = this.options.timeoutMs ?? 300_000;
    if (timeoutMs > 0) this.timeoutTimer = setTimeout(() => void this.timedOut(timeoutMs), timeoutMs);
    this.scheduleCheck();
  }

  /** Resolves at `ready`; rejects with the failure's CliFailedError. */
  untilReady(): Promise<OktetoStateEvent> {
    if (this.readyEvent) return Promise.resolve(this.readyEvent);
    if (this.failure) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      const onReady = (e: OktetoStateEvent): void => { this.off('failed', onFailed); resolve(e); };
      const onFailed = (f: OktetoFailure): void => { this.off('ready', onReady); reject(f.error); };
      this.once('ready', onReady);
      this.once('failed', onFailed);
    });
  }

  /**
   * Tells the watcher that the okteto process ended (e.g. the terminal closed) with this code, or
   * by this signal: SIGHUP counts as SIGHUP_EXIT_CODE (a closed terminal, dev mode left on).
   */
  notifyExit(exitCode?: number, signal?: string): void {
    this.exited = true;
    this.exitCode = signal === 'SIGHUP' ? SIGHUP_EXIT_CODE : exitCode;
    this.scheduleCheck(0);
  }

  private get pid(): number | undefined {
    return this.options.pid ?? this.filePid;
  }

  private queueRead(attempt = 0): void {
    // Reads run one after another so that states are reported in the order they were written.
    this.reading = this.reading.then(() => this.readState(attempt)).catch((error: unknown) => {
      this.emit('warning', asError(error));
    });
  }

  private async readState(attempt: number): Promise<void> {
    if (this.done) return;
    let text: string;
    try {
      text = await fsp.readFile(this.statePath, 'utf8');
    } catch {
      return;
    }
    const parsed = parseOktetoState(text);
    if (!parsed) {
      // okteto truncates, then writes: an empty read means the write is still on its way.
      if (attempt < 3) setTimeout(() => this.queueRead(attempt + 1), 20);
      return;
    }
    if (this.current?.state === parsed.state && this.current.message === parsed.message) return;
    const at = this.now();
    const event: OktetoStateEvent = { state: parsed.state, label: oktetoStateLabel(parsed.state), message: parsed.message, at, elapsedMs: at - this.startedAt };
    this.current = event;
    this.emit('state', event);
    if (parsed.state === 'failed') {
      await this.fail('failed', parsed.message ? `okteto up failed: ${parsed.message}` : 'okteto up failed.');
      return;
    }
    if (parsed.state === 'ready' && !this.readyEvent) {
      this.readyEvent = event;
      if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
      this.emit('ready', event);
    }
    this.scheduleCheck();
  }

  private async readPidFile(): Promise<void> {
    const pid = await readPid(this.pidPath);
    if (pid !== undefined) this.filePid = pid;
  }

  /** (Re)arms the liveness check: after `stallMs` without a new state, or sooner when asked. */
  private scheduleCheck(delayMs = this.options.stallMs ?? 2000): void {
    if (this.done) return;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => void this.checkAlive(), delayMs);
  }

  private async checkAlive(): Promise<void> {
    if (this.done) return;
    const pidFileExists = fs.existsSync(this.pidPath);
    // Only once this session wrote a state: before that the pid file may be an earlier session's.
    if (pidFileExists && this.current) await this.readPidFile();
    const pid = this.pid;
    let alive: boolean;
    if (this.exited) alive = false;
    else if (pid !== undefined) alive = isProcessAlive(pid);
    // Nothing to check yet (a fresh start before okteto wrote its pid): the timeout still applies.
    else alive = !(this.current && !pidFileExists);
    if (alive) {
      // okteto removes its pid file just before it exits: look again soon.
      this.scheduleCheck(pidFileExists || !this.current ? undefined : 200);
      return;
    }
    // A crash leaves okteto.pid behind; a clean exit (Ctrl+C, `exit`, an error) removes it.
    const hangup = this.exitCode === SIGHUP_EXIT_CODE;
    const crashed = !hangup && pidFileExists && this.filePid !== undefined && !isProcessAlive(this.filePid);
    const lastLines = await this.lastLines();
    if (this.readyEvent) {
      this.finish();
      this.emit('ended', { crashed, hangup, exitCode: this.exitCode, lastLines });
      return;
    }
    const where = this.current ? ` while ${this.current.label}` : ' before it started';
    if (hangup) {
      await this.fail('hangup', `okteto up was closed (SIGHUP)${where}: dev mode left running; Stop Dev to restore.`, lastLines);
      return;
    }
    const said = oktetoErrorMessage(lastLines);
    const code = this.exitCode === undefined ? '' : ` (exit code ${this.exitCode})`;
    const message = said ? `okteto up failed${where}: ${said}`
      : crashed ? `okteto up (pid ${this.filePid}) stopped unexpectedly${where}.`
      : `okteto up exited${where}${code}.`;
    await this.fail(crashed ? 'crashed' : 'exited', message, lastLines);
  }

  private async timedOut(timeoutMs: number): Promise<void> {
    if (this.done || this.readyEvent) return;
    const last = this.current ? `last state: ${this.current.label}` : 'it never reported a state';
    await this.fail('timeout', `okteto up was not ready after ${seconds(timeoutMs)} s (${last}).`);
  }

  private async fail(reason: OktetoFailureReason, message: string, lines?: string[]): Promise<void> {
    if (this.done) return;
    this.finish();
    const lastLines = lines ?? await this.lastLines();
    const error = new CliFailedError(message, this.exitCode, lastLines.join('\n'));
    this.failure = { reason, state: this.current?.state, lastLines, error };
    this.emit('failed', this.failure);
  }

  private async lastLines(): Promise<string[]> {
    const fromCaller = this.options.outputTail?.() ?? [];
    if (fromCaller.length > 0) return [...fromCaller].slice(-TAIL_LINES);
    return tailFile(path.join(this.dir, 'okteto.log'), TAIL_LINES);
  }

  /** Stops timers and the file watcher after a final event; listeners stay until dispose(). */
  private finish(): void {
    this.done = true;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.stallTimer = undefined;
    this.timeoutTimer = undefined;
    const watcher = this.watcher;
    if (watcher) void watcher.close().catch(() => { /* already closed */ });
  }

  async dispose(): Promise<void> {
    this.finish();
    this.removeAllListeners();
    await this.watcher?.close();
  }
}
