// Running `okteto up` sessions: one terminal and one state-file watcher each, shown in the status
// bar (`$(sync~spin) api: synchronizing files`, then ready). Re-attaches after a window reload.
import * as vscode from 'vscode';
import type { OktetoSessionWatcher } from '../adapters/okteto-session-watcher.ts';
import { runtime } from './runtime-loader.ts';
import { reportError } from './report-error.ts';
import { workspaceManifest } from './dev-target.ts';

export interface DevSession {
  key: string;
  namespace: string;
  service: string;
  terminal: vscode.Terminal | undefined;
  watcher: OktetoSessionWatcher;
  state: string;
  ready: boolean;
  /** Runs once when the session ends (e.g. removes the derived manifest). */
  onEnd: (() => Promise<void>) | undefined;
}

export class DevSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, DevSession>();
  private readonly item: vscode.StatusBarItem;
  private readonly log: vscode.LogOutputChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(log: vscode.LogOutputChannel) {
    this.log = log;
    this.item = vscode.window.createStatusBarItem('tenv.dev', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'T-Env Dev Mode';
    this.disposables.push(this.item, this.changed, vscode.window.onDidCloseTerminal((terminal) => this.terminalClosed(terminal)));
  }

  static key(namespace: string, service: string): string {
    return `${namespace}/${service}`;
  }

  get(namespace: string, service: string): DevSession | undefined {
    return this.sessions.get(DevSessions.key(namespace, service));
  }

  /** Starts watching a session (new, or found running after a reload) and shows its progress. */
  async track(input: { namespace: string; service: string; terminal?: vscode.Terminal; timeoutMs: number; fresh: boolean; pid?: number; onEnd?: () => Promise<void> }): Promise<DevSession> {
    const key = DevSessions.key(input.namespace, input.service);
    await this.end(key);
    const rt = runtime();
    const watcher = new rt.OktetoSessionWatcher({
      namespace: input.namespace, service: input.service, timeoutMs: input.timeoutMs, ignoreExisting: input.fresh,
      ...(input.pid === undefined ? {} : { pid: input.pid }),
    });
    const session: DevSession = {
      key, namespace: input.namespace, service: input.service, terminal: input.terminal, watcher, state: 'starting', ready: false, onEnd: input.onEnd,
    };
    this.sessions.set(key, session);
    watcher.on('state', (event) => {
      session.state = event.label;
      this.log.info(`okteto ${key}: ${event.state}${event.message ? ` (${event.message})` : ''} after ${(event.elapsedMs / 1000).toFixed(1)} s`);
      this.render();
    });
    watcher.on('ready', () => {
      session.ready = true;
      session.state = 'ready';
      this.render();
      this.changed.fire();
      void vscode.window.showInformationMessage(`${input.service} is in dev mode in ${input.namespace}: files are synchronized.`, 'Show Terminal')
        .then((b) => b && session.terminal?.show());
    });
    watcher.on('failed', (failure) => {
      if (failure.reason === 'hangup') {
        this.log.warn(`okteto ${key}: ${failure.error.message}`);
        void this.end(key, { keepTerminal: true });
        this.leftRunning(input.namespace, input.service);
        return;
      }
      this.log.error(`okteto ${key} failed (${failure.reason}):\n${failure.lastLines.join('\n')}`);
      void this.end(key, { keepTerminal: true });
      void reportError(failure.error, this.log, {
        extra: session.terminal ? [{ label: 'Show Terminal', run: () => session.terminal?.show() }] : [],
      });
    });
    watcher.on('ended', (end) => {
      this.log.info(`okteto ${key} ended${end.hangup ? ' (its terminal was closed: dev mode left running)' : ''}.`);
      void this.end(key, { keepTerminal: true });
      if (end.hangup) this.leftRunning(input.namespace, input.service);
    });
    await watcher.start();
    this.render();
    this.changed.fire();
    return session;
  }

  /**
   * Closing okteto's terminal sends it SIGHUP, which okteto does not handle: it ends (129) with
   * dev mode still on in the cluster. That is not a crash: the workload stays in dev mode (the
   * tree shows it) until Stop Dev.
   */
  private terminalClosed(terminal: vscode.Terminal): void {
    const closedByUser = terminal.exitStatus?.reason === vscode.TerminalExitReason.User;
    for (const session of this.sessions.values()) {
      if (session.terminal === terminal) session.watcher.notifyExit(closedByUser ? runtime().SIGHUP_EXIT_CODE : terminal.exitStatus?.code);
    }
  }

  private leftRunning(namespace: string, service: string): void {
    void vscode.window.showWarningMessage(`${service}: the okteto terminal was closed; dev mode left running in ${namespace}. Stop Dev to restore.`, 'Stop Dev')
      .then((b) => b && vscode.commands.executeCommand('tenv.stopDev'));
  }

  /** Stops watching a session; closes its terminal unless asked to keep it (to read a failure). */
  async end(key: string, options: { keepTerminal?: boolean } = {}): Promise<void> {
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    if (!options.keepTerminal) session.terminal?.dispose();
    await session.onEnd?.().catch((error: unknown) => this.log.warn(`okteto ${key}: ${String(error)}`));
    await session.watcher.dispose();
    this.render();
    this.changed.fire();
  }

  private render(): void {
    const sessions = [...this.sessions.values()];
    if (sessions.length === 0) {
      this.item.hide();
      return;
    }
    const starting = sessions.filter((s) => !s.ready);
    const shown = starting[0] ?? sessions[0]!;
    this.item.text = shown.ready ? `$(vm-connect) ${shown.service}: ready` : `$(sync~spin) ${shown.service}: ${shown.state}`;
    this.item.tooltip = sessions.map((s) => `${s.namespace}/${s.service}: ${s.ready ? 'in dev mode' : s.state}`).join('\n') +
      (shown.terminal ? '\n\nClick to show the terminals.' : '');
    this.item.command = shown.terminal ? { command: 'workbench.action.terminal.focus', title: 'Show Terminal' } : undefined;
    this.item.show();
  }

  /**
   * After a window reload: sessions of my environments whose okteto process still runs (its pid
   * alive) are watched again, so the status bar shows their state. okteto keeps a session under
   * its dev name, which `name:` or a selector may make differ from the workload's: the workspace
   * manifest's dev names are looked at too.
   */
  async reattach(environments: readonly { name: string; workloads: readonly { name: string; devMode: boolean }[] }[], timeoutMs: number): Promise<void> {
    const rt = runtime();
    let devNames: string[] = [];
    try {
      devNames = (await workspaceManifest()).manifest.manifest.dev.map((d) => d.name);
    } catch { /* no (valid) manifest in this window: the workload names are all there is */ }
    for (const env of environments) {
      const inDevMode = env.workloads.filter((x) => x.devMode).map((w) => w.name);
      if (inDevMode.length === 0) continue;
      for (const name of new Set([...inDevMode, ...devNames])) {
        if (this.get(env.name, name)) continue;
        const found = await rt.readSession(env.name, name);
        if (!found?.alive || found.pid === undefined) continue;
        this.log.info(`Re-attaching to okteto ${env.name}/${name} (pid ${found.pid}, ${found.state ?? 'no state yet'})`);
        await this.track({ namespace: env.name, service: name, timeoutMs, fresh: false, pid: found.pid });
      }
    }
  }

  dispose(): void {
    for (const key of [...this.sessions.keys()]) void this.end(key, { keepTerminal: true });
    for (const d of this.disposables) d.dispose();
  }
}
