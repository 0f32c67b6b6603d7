// Pod logs in output channels: one channel per workload (`T-Env Logs: <env>/<workload>`), one
// WorkloadLogStream feeding it. Streams end on Stop Logs, on dispose, and when the environment
// goes to sleep.
import * as vscode from 'vscode';
import type { WorkloadRef } from '../core/kinds.ts';
import type { WorkloadLogStream } from '../adapters/pod-logs.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { config } from './config.ts';
import type { ClusterConnection } from './connection.ts';
import { runtime } from './runtime-loader.ts';

interface Entry {
  channel: vscode.OutputChannel;
  stream: WorkloadLogStream | undefined;
  namespace: string;
}

export class LogChannels implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly log: vscode.LogOutputChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly connection: ClusterConnection;

  constructor(connection: ClusterConnection, log: vscode.LogOutputChannel) {
    this.connection = connection;
    this.log = log;
    this.disposables.push(connection.onDidChange((names) => this.environmentsChanged(names)));
  }

  static key(namespace: string, workload: string): string {
    return `${namespace}/${workload}`;
  }

  isStreaming(namespace: string, workload: string): boolean {
    return this.entries.get(LogChannels.key(namespace, workload))?.stream !== undefined;
  }

  async show(session: KubeSession, namespace: string, workload: WorkloadRef): Promise<vscode.OutputChannel> {
    const key = LogChannels.key(namespace, workload.name);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { channel: vscode.window.createOutputChannel(`T-Env Logs: ${key}`), stream: undefined, namespace };
      this.entries.set(key, entry);
    }
    entry.channel.show(true);
    if (entry.stream) return entry.channel;
    const channel = entry.channel;
    const stream = new (runtime().WorkloadLogStream)(session, namespace, workload, (text: string) => channel.append(text), {
      tailLines: config.logsTailLines(), timestamps: config.logsTimestamps(), follow: true,
      onError: (error, source, willRetry) => this.log.warn(`logs ${key}${source ? ` ${source.pod}${source.container ? `/${source.container}` : ''}` : ''}: ${error.message}${willRetry ? ' (retrying)' : ''}`),
    });
    entry.stream = stream;
    const current = entry;
    void stream.closed.then(() => { if (current.stream === stream) current.stream = undefined; });
    await stream.start();
    return channel;
  }

  async stop(namespace: string, workload: string, reason = 'stopped'): Promise<boolean> {
    const entry = this.entries.get(LogChannels.key(namespace, workload));
    if (!entry?.stream) return false;
    const stream = entry.stream;
    entry.stream = undefined;
    stream.endAll(reason);
    await stream.dispose();
    return true;
  }

  /** An environment that went to sleep (or away) ends its streams, with a line saying so. */
  private environmentsChanged(names: ReadonlySet<string> | undefined): void {
    for (const [key, entry] of this.entries) {
      if (!entry.stream || (names && !names.has(entry.namespace))) continue;
      const env = this.connection.environment(entry.namespace);
      const reason = !env ? 'the environment was deleted' : env.state === 'asleep' ? 'the environment went to sleep' : undefined;
      if (reason) void this.stop(entry.namespace, key.slice(entry.namespace.length + 1), reason);
    }
  }

  dispose(): void {
    for (const entry of this.entries.values()) {
      void entry.stream?.dispose();
      entry.channel.dispose();
    }
    this.entries.clear();
    for (const d of this.disposables) d.dispose();
  }
}
