// "My current environment": the one picked for this workspace, else the only one I own.
import * as vscode from 'vscode';
import type { EnvironmentInfo } from '../core/environment.ts';
import type { ClusterConnection } from './connection.ts';

const KEY = 'tenv.currentEnvironment';

export class CurrentEnvironment implements vscode.Disposable {
  private readonly memento: vscode.Memento;
  private readonly connection: ClusterConnection;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(memento: vscode.Memento, connection: ClusterConnection) {
    this.memento = memento;
    this.connection = connection;
  }

  get(): EnvironmentInfo | undefined {
    const picked = this.memento.get<string>(this.key());
    if (picked) {
      const env = this.connection.environment(picked);
      if (env) return env;
    }
    const mine = this.connection.environments().filter((e) => e.owner === this.connection.me());
    return mine.length === 1 ? mine[0] : undefined;
  }

  async set(name: string): Promise<void> {
    await this.memento.update(this.key(), name);
    this.changed.fire();
  }

  /** Remembered per workspace and per kube context. */
  private key(): string {
    return `${KEY}:${this.connection.session?.context ?? ''}`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
