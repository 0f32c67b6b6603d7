// The savings report webview: one panel, re-rendered from the live store (no listing of its own)
// a moment after the environments change, and when the prices or my owner name change. Hidden, it
// only notes that it is stale and renders when shown again. The page itself (core/savings-view.ts)
// has no script; its switches are command links, the only command URIs the panel allows.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { savingsHtml, savingsView } from '../core/savings-view.ts';
import type { ReportRequest } from '../core/savings-view.ts';
import { config } from './config.ts';
import type { ClusterConnection } from './connection.ts';

/** Store changes come in bursts (a sleeper pass patches every workload): render once after them. */
const SAVINGS_RENDER_DELAY_MS = 500;

export class SavingsPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stale = false;
  private isDisposed = false;
  private _request: ReportRequest;
  private readonly connection: ClusterConnection;
  private readonly command: string;
  /** Fires once, when the panel is closed or disposed. */
  readonly onDidDispose = this.disposed.event;

  constructor(connection: ClusterConnection, request: ReportRequest, command: string) {
    this.connection = connection;
    this.command = command;
    this._request = request;
    this.panel = vscode.window.createWebviewPanel('tenv.savingsReport', this.title(), vscode.ViewColumn.Active, {
      enableScripts: false,
      enableCommandUris: [command],
      localResourceRoots: [],
    });
    this.subscriptions.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.onDidChangeViewState((e) => { if (e.webviewPanel.visible && this.stale) this.render(); }),
      connection.onDidChange(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tenv.report') || e.affectsConfiguration('tenv.user')) this.schedule();
      }),
    );
  }

  get request(): ReportRequest { return this._request; }

  /** Shows `request` now and brings the panel to the front. */
  show(request: ReportRequest): void {
    this._request = request;
    this.panel.title = this.title();
    this.render();
    this.panel.reveal(undefined, false);
  }

  private title(): string {
    return `T-Env Savings (${this._request.scope === 'mine' ? 'mine' : 'everyone'}, ${this._request.days} days)`;
  }

  private schedule(): void {
    if (this.isDisposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.panel.visible) this.render(); else this.stale = true;
    }, SAVINGS_RENDER_DELAY_MS);
  }

  private render(): void {
    if (this.isDisposed) return;
    // While the connection is down (or switching context) the store is empty: keep the last page
    // rather than claim there are no environments; the next store change renders again.
    if (this.connection.state !== 'ready' && this.connection.state !== 'reconnecting') return;
    this.stale = false;
    const view = savingsView({ environments: this.connection.environments(), request: this._request, me: this.connection.me(), prices: config.reportPrices(), now: new Date() });
    this.panel.webview.html = savingsHtml(view, { nonce: crypto.randomBytes(18).toString('base64'), command: this.command });
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }
}
