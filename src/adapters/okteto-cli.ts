// The okteto binary: locating it (tenv.oktetoPath or PATH) and checking its version, then running
// `okteto down`, `okteto up` in the background (output tail, stdin) or in the foreground for the
// `t` CLI, always with argument arrays (core/okteto-cli.ts), never a shell string.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { CancelledError, CliFailedError, CliMissingError } from '../core/errors.ts';
import { lastLines, oktetoDownArgs, oktetoErrorMessage, oktetoUpArgs, OUTPUT_TAIL_LINES, OutputTail, secondsText, stripAnsi } from '../core/okteto-cli.ts';
import type { DevTarget } from '../core/okteto-cli.ts';
import { compareVersions, MIN_OKTETO_VERSION, parseOktetoVersion } from '../core/okteto-manifest.ts';

export const OKTETO_INSTALL_URL = 'https://www.okteto.com/docs/get-started/install-okteto-cli/';

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
      const why = result.timedOut ? `did not answer "okteto version" within ${secondsText(options.timeoutMs ?? VERSION_TIMEOUT_MS)} s`
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
    return oktetoUpArgs(target);
  }

  /** `down <service> -f <manifest> -n <namespace> [-c <context>] [-v]`. */
  downArgs(target: DevTarget, options: { volumes?: boolean } = {}): string[] {
    return oktetoDownArgs(target, options);
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
      const detail = result.timedOut ? `timed out after ${secondsText(options.timeoutMs ?? DOWN_TIMEOUT_MS)} s` : oktetoErrorMessage(output);
      throw new CliFailedError(`okteto down ${target.service} failed: ${detail ?? `exit code ${result.exitCode ?? result.signal ?? '?'}`}`,
        result.exitCode, lastLines(output, OUTPUT_TAIL_LINES).join('\n'));
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
    const output = new OutputTail();
    const collect = (chunk: Buffer | string): void => output.push(chunk.toString());
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
      tail: (n = OUTPUT_TAIL_LINES) => output.last(n),
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
