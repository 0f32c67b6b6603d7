// Pod logs in output channels: one channel per workload (`T-Env Logs: <env>/<workload>`, the kind
// added for any but a Deployment), one WorkloadLogStream feeding it. Streams end on Stop Logs, on
// dispose, and when the environment goes to sleep. Channels are keyed by context, namespace, kind
// and name (core/kinds.ts refKey), so a Deployment and a StatefulSet of one name never share one.
import * as vscode from 'vscode';
import { refKey } from '../core/kinds.ts';
import type { EnvRef, WorkloadRef } from '../core/kinds.ts';
import type { WorkloadLogStream } from '../adapters/pod-logs.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { config } from './config.ts';
import type { ClusterConnection } from './connection.ts';
import { runtime } from './runtime-loader.ts';

/** A workload whose logs a channel shows. */
export type LogTarget = EnvRef & WorkloadRef;

interface Entry {
  readonly target: LogTarget;
  readonly channel: vscode.OutputChannel;
  stream: WorkloadLogStream | undefined;
}

/** `shop/api`, `shop/db (StatefulSet)`: what the channel and the log lines call the workload. */
export function logChannelLabel(target: LogTarget): string {
  return `${target.namespace}/${target.name}${target.kind === 'Deployment' ? '' : ` (${target.kind})`}`;
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

  isStreaming(target: LogTarget): boolean {
    return this.entries.get(refKey(target))?.stream !== undefined;
  }

  async show(session: KubeSession, target: LogTarget): Promise<vscode.OutputChannel> {
    const key = refKey(target);
    const label = logChannelLabel(target);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { target, channel: vscode.window.createOutputChannel(`T-Env Logs: ${label}`), stream: undefined };
      this.entries.set(key, entry);
    }
    entry.channel.show(true);
    if (entry.stream) return entry.channel;
    const channel = entry.channel;
    const stream = new (runtime().WorkloadLogStream)(session, target.namespace, { kind: target.kind, name: target.name }, (text: string) => channel.append(text), {
      tailLines: config.logsTailLines(), timestamps: config.logsTimestamps(), follow: true,
      onError: (error, source, willRetry) => this.log.warn(`logs ${label}${source ? ` ${source.pod}${source.container ? `/${source.container}` : ''}` : ''}: ${error.message}${willRetry ? ' (retrying)' : ''}`),
    });
    entry.stream = stream;
    const current = entry;
    void stream.closed.then(() => { if (current.stream === stream) current.stream = undefined; });
    await stream.start();
    return channel;
  }

  async stop(target: LogTarget, reason = 'stopped'): Promise<boolean> {
    const entry = this.entries.get(refKey(target));
    if (!entry?.stream) return false;
    const stream = entry.stream;
    entry.stream = undefined;
    stream.endAll(reason);
    await stream.dispose();
    return true;
  }

  /** An environment of the connected context that went to sleep (or away) ends its streams, with a line saying so. */
  private environmentsChanged(names: ReadonlySet<string> | undefined): void {
    const context = this.connection.session?.context;
    for (const entry of this.entries.values()) {
      const { target } = entry;
      if (!entry.stream || target.context !== context || (names && !names.has(target.namespace))) continue;
      const env = this.connection.environment(target.namespace);
      const reason = !env ? 'the environment was deleted' : env.state === 'asleep' ? 'the environment went to sleep' : undefined;
      if (reason) void this.stop(target, reason);
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
