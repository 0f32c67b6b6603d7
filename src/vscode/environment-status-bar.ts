// The status-bar item for my current environment: its state, and a Wake button when asleep.
import * as vscode from 'vscode';
import { describeTransition, scheduleView } from '../core/environment-view.ts';
import type { EnvRef } from '../core/kinds.ts';
import type { ClusterConnection } from './connection.ts';
import type { CurrentEnvironment } from './current-environment.ts';

export class EnvironmentStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly connection: ClusterConnection;
  private readonly current: CurrentEnvironment;
  /** Set while a wake started from here runs, for the spinner. */
  private waking: string | undefined;

  constructor(connection: ClusterConnection, current: CurrentEnvironment) {
    this.connection = connection;
    this.current = current;
    this.item = vscode.window.createStatusBarItem('tenv.environment', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'T-Env Environment';
    this.disposables.push(
      this.item,
      connection.onDidChange(() => this.render()),
      connection.onDidChangeState(() => this.render()),
      current.onDidChange(() => this.render()),
    );
    const timer = setInterval(() => this.render(), 60_000);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  setWaking(name: string | undefined): void {
    this.waking = name;
    this.render();
  }

  render(): void {
    const env = this.connection.state === 'ready' || this.connection.state === 'reconnecting' ? this.current.get() : undefined;
    if (!env) {
      this.item.hide();
      return;
    }
    const now = new Date();
    const view = scheduleView(env, now);
    const context = this.connection.session?.context ?? '';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**T-Env: ${env.name}** (${context})\n\n`);
    this.item.backgroundColor = undefined;
    if (this.waking === env.name || env.state === 'waking') {
      this.item.text = `$(loading~spin) Waking ${env.name}`;
      this.item.command = undefined;
      tooltip.appendMarkdown('Waking: pods are starting.');
    } else if (env.state === 'asleep' || env.state === 'partly-awake') {
      this.item.text = `$(play) Wake ${env.name}`;
      this.item.command = { command: 'tenv.wakeEnvironment', title: 'Wake', arguments: [{ context, namespace: env.name } satisfies EnvRef] };
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      tooltip.appendMarkdown(`${env.state === 'asleep' ? 'Asleep' : 'Partly asleep'}. Click to wake it now.`);
      if (view.next?.action === 'wake') tooltip.appendMarkdown(`\n\nScheduled: ${describeTransition(view.next, env.timezone, now)}`);
    } else {
      this.item.text = `$(vm-active) ${env.name}`;
      this.item.command = { command: 'tenv.selectEnvironment', title: 'Select Environment' };
      // The problem quotes annotations (untrusted): appendText escapes Markdown.
      tooltip.appendMarkdown('Awake. ').appendText(`${view.follows ?? (view.problem ? `Schedule problem: ${view.problem}` : describeTransition(view.next, env.timezone, now))}.`);
    }
    if (view.problem) this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    tooltip.appendMarkdown(`\n\nContext: ${context}`);
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
