// A notification shortly before my current environment goes to sleep, with "Keep awake 1 h".
import * as vscode from 'vscode';
import { scheduleView } from '../core/environment-view.ts';
import { config } from './config.ts';
import type { ClusterConnection } from './connection.ts';
import type { CurrentEnvironment } from './current-environment.ts';

export class SleepWarning implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private warned = '';
  private readonly disposables: vscode.Disposable[] = [];
  private readonly current: CurrentEnvironment;

  constructor(connection: ClusterConnection, current: CurrentEnvironment) {
    this.current = current;
    this.disposables.push(connection.onDidChange(() => this.schedule()), current.onDidChange(() => this.schedule()));
  }

  /** Arms one timer for the next warning of the current environment. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const minutes = config.sleepWarningMinutes();
    const env = this.current.get();
    if (!env || minutes <= 0 || env.state === 'asleep') return;
    const next = scheduleView(env, new Date()).next;
    if (next?.action !== 'sleep') return;
    const key = `${env.name}@${next.at.toISOString()}`;
    if (this.warned === key) return;
    const delay = next.at.getTime() - minutes * 60_000 - Date.now();
    // setTimeout holds at most ~24.8 days; a later transition is re-armed by a later change.
    if (delay > 2 ** 31 - 1) return;
    this.timer = setTimeout(() => {
      this.warned = key;
      const keep = 'Keep awake 1 h';
      void vscode.window.showWarningMessage(`${env.name} goes to sleep at ${next.at.toLocaleTimeString()} (in ${Math.max(0, Math.round((next.at.getTime() - Date.now()) / 60_000))} min).`, keep)
        .then((answer) => answer === keep && vscode.commands.executeCommand('tenv.keepAwake', env.name, '1h'));
    }, Math.max(0, delay));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
