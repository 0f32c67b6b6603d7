// Following one `okteto up` session through the files it writes in ~/.okteto: its states as
// events, `ready` once, and a typed failure or end (a dead pid, the timeout, a `failed` state, a
// closed terminal). What the failures say is core/okteto-cli.ts.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { asError, CliFailedError } from '../core/errors.ts';
import { OUTPUT_TAIL_LINES, upEndedFailure, upFailedStateMessage, upTimeoutMessage } from '../core/okteto-cli.ts';
import type { OktetoFailureReason } from '../core/okteto-cli.ts';
import { oktetoStateLabel, parseOktetoState } from '../core/okteto-manifest.ts';
import type { OktetoState } from '../core/okteto-manifest.ts';
import { isProcessAlive, readPid, sessionDir, stateDir, tailFile } from './okteto-state-folder.ts';

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

/** The exit code of a process ended by SIGHUP (128 + 1): okteto does not handle it (a closed terminal). */
export const SIGHUP_EXIT_CODE = 129;

export interface OktetoFailure {
  /** See OktetoFailureReason. */
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
      await this.fail('failed', upFailedStateMessage(parsed.message));
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
    const { reason, message } = upEndedFailure({ stateLabel: this.current?.label, hangup, crashed, pid: this.filePid, exitCode: this.exitCode, lastLines });
    await this.fail(reason, message, lastLines);
  }

  private async timedOut(timeoutMs: number): Promise<void> {
    if (this.done || this.readyEvent) return;
    await this.fail('timeout', upTimeoutMessage(timeoutMs, this.current?.label));
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
    if (fromCaller.length > 0) return [...fromCaller].slice(-OUTPUT_TAIL_LINES);
    return tailFile(path.join(this.dir, 'okteto.log'), OUTPUT_TAIL_LINES);
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
