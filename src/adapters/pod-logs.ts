// Pod logs of one workload: every container of every pod, one batched text stream, kept current by
// a pod informer (pods come and go), with lossless reconnects. The VS Code output channel and
// `t logs` are thin sinks over WorkloadLogStream. When to resume and what to ask for is
// core/log-follow-policy.ts; each request is adapters/pod-log-request.ts; turning bytes into
// lines (dedupe on resume, labels, batching) is core/log-lines.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { WORKLOAD_KINDS } from '../core/kinds.ts';
import type { WorkloadLookup } from '../core/kinds.ts';
import {
  afterLogEnd, classifyLogFailure, containerStatus, DEFAULT_RETRY_DELAY_MS, describeWorkload, hasLog, isPodOf, nextLogQuery, nextRetryDelay, podKey, podsOf, restartCount,
  retryOrPark, showsPreviousInstance, statusSignature,
} from '../core/log-follow-policy.ts';
import type { FollowStep, LogFailure, LogQuery, PodStatusLike, RetryDelay } from '../core/log-follow-policy.ts';
import { ContainerLogParser, formatNotice, LogBatcher, logLabel } from '../core/log-lines.ts';
import type { LogBatcherOptions, LogControls, LogSink } from '../core/log-lines.ts';
import { asError, NotFoundError } from '../core/errors.ts';
import { ResilientInformer, toTEnvError } from './kube.ts';
import { httpStatus, isAbort, LogIdleTimeoutError, readPodLog, serverMessage } from './pod-log-request.ts';
import { SleepApi } from './sleep-api.ts';
import type { KubeSession } from './kube.ts';

/** Where an error happened: a pod (and container), or the pod watch itself when undefined. */
export interface LogSource {
  pod: string;
  container?: string | undefined;
}

export interface WorkloadLogOptions {
  /** Earlier lines of each container to print first; undefined: the whole log (like kubectl). */
  tailLines?: number | undefined;
  /** One-shot mode only: just the lines logged since this RFC 3339 instant (with tailLines: the last of those). */
  sinceTime?: string | undefined;
  /** Show each line's timestamp. */
  timestamps?: boolean | undefined;
  /** Keep following (default). false: print the tail of every container once, then finish. */
  follow?: boolean | undefined;
  /** Aborting it disposes the stream. */
  signal?: AbortSignal | undefined;
  /**
   * Every failure, typed (see toTEnvError). `willRetry` is false when that stream gave up
   * (e.g. 403). Failures are also written into the stream as a line; this is for the log.
   */
  onError?: ((error: Error, source: LogSource | undefined, willRetry: boolean) => void) | undefined;
  /** Batching of appends (defaults suit a VS Code output channel). */
  batch?: LogBatcherOptions | undefined;
  maxLineBytes?: number | undefined;
  /** Control characters in log text (default 'escape'; see ContainerLogParserOptions). */
  controls?: LogControls | undefined;
  /** Backoff between reconnects of a broken stream: initial, doubling up to max. */
  retryDelayMs?: RetryDelay | undefined;
  /**
   * A followed response silent this long is closed and resumed without a line (sinceTime makes
   * that lossless): it detects connections that died without a reset. Default 300 s.
   */
  idleTimeoutMs?: number | undefined;
}

/** What the followers of one stream share. */
interface StreamContext {
  readonly session: KubeSession;
  readonly namespace: string;
  /** Aborted by dispose(): ends every follower, whatever else happened to it. */
  readonly signal: AbortSignal;
  readonly follow: boolean;
  readonly tailLines: number | undefined;
  readonly sinceTime: string | undefined;
  readonly timestamps: boolean;
  readonly maxLineBytes: number | undefined;
  readonly controls: LogControls | undefined;
  readonly retry: RetryDelay;
  readonly idleTimeoutMs: number;
  readonly batcher: LogBatcher;
  readonly push: (line: string) => void;
  readonly reportError: (error: Error, source: LogSource | undefined, willRetry: boolean) => void;
}

/** Follows one container of one pod, across reconnects and restarts, until ended. */
class ContainerFollower {
  private readonly ctx: StreamContext;
  private readonly pod: string;
  private readonly container: string;
  private readonly containerCount: number;
  private readonly label: string;
  private readonly parser: ContainerLogParser;
  private readonly controller = new AbortController();
  private status: PodStatusLike;
  private signature: string;
  private restarts: number;
  /** A 200 response was seen: from then on, "no line yet" means the log was empty. */
  private opened = false;
  /** An interruption was reported; the next open says the stream resumed. */
  private interrupted = false;
  private wake: (() => void) | undefined;
  private readonly onDispose = (): void => this.end();

  constructor(ctx: StreamContext, pod: k8s.V1Pod, container: string) {
    this.ctx = ctx;
    ctx.signal.addEventListener('abort', this.onDispose);
    this.pod = pod.metadata?.name ?? '';
    this.container = container;
    this.containerCount = pod.spec?.containers.length ?? 1;
    this.label = logLabel(this.pod, container, this.containerCount);
    this.parser = new ContainerLogParser({ label: this.label, showTimestamps: ctx.timestamps, maxLineBytes: ctx.maxLineBytes, controls: ctx.controls });
    this.status = pod.status;
    this.signature = statusSignature(pod.status, container);
    this.restarts = restartCount(pod.status, container);
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private get source(): LogSource {
    return { pod: this.pod, container: this.container };
  }

  private notice(message: string): void {
    this.ctx.push(formatNotice(message, this.label));
  }

  /** The pod changed: note a restart, and wake a follower waiting for the container to start. */
  podChanged(pod: k8s.V1Pod): void {
    this.status = pod.status;
    const restarts = restartCount(pod.status, this.container);
    if (restarts > this.restarts && !this.signal.aborted) this.notice(`container restarted (restarts: ${restarts})`);
    this.restarts = Math.max(restarts, this.restarts);
    const signature = statusSignature(pod.status, this.container);
    if (signature !== this.signature) {
      this.signature = signature;
      this.wake?.();
    }
  }

  /** Stops following (aborting the request), with a line saying why when given. */
  end(message?: string): void {
    if (this.signal.aborted) return;
    if (message !== undefined) this.notice(message);
    this.ctx.signal.removeEventListener('abort', this.onDispose);
    this.controller.abort();
    this.wake?.();
  }

  /** Follow mode: runs until ended; never rejects. */
  async follow(): Promise<void> {
    try {
      await this.printPrevious();
      let delay = this.ctx.retry.initial;
      while (!this.signal.aborted) {
        if (!hasLog(containerStatus(this.status, this.container))) {
          await this.parked();
          continue;
        }
        let failure: unknown;
        try {
          await readPodLog(this.ctx.session, this.ctx.namespace, this.pod, this.container, this.nextQuery(), this.signal, () => {
            this.opened = true;
            delay = this.ctx.retry.initial;
            if (this.interrupted) this.notice('log stream resumed');
            this.interrupted = false;
          }, (chunk) => this.pushWithBackpressure(this.parser, chunk), this.ctx.idleTimeoutMs);
          this.parser.end(this.ctx.push);
        } catch (error) {
          failure = error;
        }
        if (this.signal.aborted) return;
        const next = failure === undefined ? this.afterEnd() : this.afterFailure(failure);
        if (next === 'stop') return;
        if (next === 'park') {
          await this.parked();
          continue;
        }
        if (next === 'retry') {
          await sleep(delay, undefined, { signal: this.signal });
          delay = nextRetryDelay(delay, this.ctx.retry);
        }
        // 'now': reconnect at once (an idle timeout on a quiet log).
      }
    } catch (error) {
      if (!this.stoppedBy(error)) this.ctx.reportError(asError(error), this.source, false);
    }
  }

  /** One-shot mode: prints the (previous and) current tail. Rejects on 401/403/unreachable. */
  async once(): Promise<void> {
    await this.printPrevious();
    const s = containerStatus(this.status, this.container);
    if (!hasLog(s)) {
      this.notice(`container has not started${s?.state?.waiting?.reason ? ` (${s.state.waiting.reason})` : ''}`);
      return;
    }
    try {
      await readPodLog(this.ctx.session, this.ctx.namespace, this.pod, this.container, { follow: false, tailLines: this.ctx.tailLines, sinceTime: this.ctx.sinceTime },
        this.signal, () => undefined, (chunk) => this.pushWithBackpressure(this.parser, chunk), this.ctx.idleTimeoutMs);
      this.parser.end(this.ctx.push);
    } catch (error) {
      if (this.stoppedBy(error)) return;
      const typed = this.typed(error);
      const failure = this.failureOf(error);
      if (failure === 'not-serving' || failure === 'gone') {
        this.notice(`no log: ${serverMessage(error) ?? typed.message}`);
        return;
      }
      throw typed;
    }
  }

  /**
   * Waits for the sink rather than dropping lines: once half the batcher's bound waits, the HTTP
   * response is not read further until the sink took it (a slow `t logs -f | reader` slows the
   * stream; memory stays within the bound).
   */
  private pushWithBackpressure(parser: ContainerLogParser, chunk: Buffer): Promise<void> | undefined {
    parser.push(chunk, this.ctx.push);
    const batcher = this.ctx.batcher;
    return batcher.buffered > batcher.capacity / 2 ? batcher.drain() : undefined;
  }

  /** The failure is only the consequence of end() or dispose() (an abort surfaces in several forms). */
  private stoppedBy(error: unknown): boolean {
    return this.signal.aborted || isAbort(error);
  }

  private failureOf(error: unknown): LogFailure {
    return classifyLogFailure(httpStatus(error), error instanceof LogIdleTimeoutError);
  }

  private typed(error: unknown): Error {
    return toTEnvError(error, this.ctx.session, `get pods/log in namespace ${this.ctx.namespace}`, `The pod ${this.pod}`);
  }

  /** The request for the next response (see nextLogQuery); the parser's cursor skips repeats. */
  private nextQuery(): LogQuery {
    return nextLogQuery(this.parser.resume(), this.opened, this.ctx.tailLines);
  }

  /** The response ended without error: the container stopped, or the server closed it. */
  private afterEnd(): FollowStep {
    const next = afterLogEnd(this.status, this.container);
    if (next.step === 'stop') this.end(next.notice);
    return next.step;
  }

  /** What classifyLogFailure says, carried out: report, end with a line, or retry (once announced). */
  private afterFailure(error: unknown): FollowStep {
    this.parser.resume();
    const failure = this.failureOf(error);
    const typed = this.typed(error);
    if (failure === 'denied') {
      this.ctx.reportError(typed, this.source, false);
      this.end(`cannot stream logs: ${typed.message}`);
      return 'stop';
    }
    if (failure === 'gone') {
      this.end('pod no longer exists; stream ended');
      return 'stop';
    }
    this.ctx.reportError(typed, this.source, true);
    if (failure === 'idle') return 'now';
    // Not (yet) serving a log, e.g. still being created: wait for it quietly.
    if (failure === 'not-serving') return retryOrPark(this.status, this.container);
    if (!this.interrupted) this.notice(`log stream interrupted (${typed.message.replace(/\.$/, '')}); reconnecting`);
    this.interrupted = true;
    return 'retry';
  }

  /** Waits for the pod watch to report a change of this container (or for the end). */
  private parked(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = undefined;
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      this.signal.addEventListener('abort', done);
    });
  }

  /** Its previous instance's last lines, once, labelled as such (see showsPreviousInstance). */
  private async printPrevious(): Promise<void> {
    if (!showsPreviousInstance(this.restarts, this.ctx.tailLines)) return;
    const parser = new ContainerLogParser({
      label: logLabel(this.pod, this.container, this.containerCount, ' previous'), showTimestamps: this.ctx.timestamps, maxLineBytes: this.ctx.maxLineBytes, controls: this.ctx.controls,
    });
    this.notice(`last lines of the previous instance (restarts: ${this.restarts})`);
    try {
      await readPodLog(this.ctx.session, this.ctx.namespace, this.pod, this.container, { follow: false, previous: true, tailLines: this.ctx.tailLines, sinceTime: this.ctx.sinceTime },
        this.signal, () => undefined, (chunk) => this.pushWithBackpressure(parser, chunk), this.ctx.idleTimeoutMs);
      parser.end(this.ctx.push);
    } catch (error) {
      if (this.stoppedBy(error)) throw error;
      const typed = this.typed(error);
      const failure = this.failureOf(error);
      if (failure !== 'not-serving') this.ctx.reportError(typed, this.source, false);
      this.notice(`no log of the previous instance: ${serverMessage(error) ?? typed.message}`);
      if (!this.ctx.follow && failure === 'denied') throw typed;
    }
  }
}

/** The followers of one pod. */
class PodLogs {
  readonly uid: string;
  readonly name: string;
  readonly followers: ContainerFollower[];

  constructor(ctx: StreamContext, pod: k8s.V1Pod) {
    this.uid = podKey(pod);
    this.name = pod.metadata?.name ?? '';
    this.followers = (pod.spec?.containers ?? []).map((c) => new ContainerFollower(ctx, pod, c.name));
  }

  end(): void {
    for (const f of this.followers) f.end();
  }
}

/**
 * Rejects with a NotFoundError naming the workloads that exist when `workload` is none of the
 * namespace's Deployments, StatefulSets and CronJobs (a typo must not look like "no pods yet").
 */
export async function checkWorkloadExists(session: KubeSession, namespace: string, workload: WorkloadLookup): Promise<void> {
  const api = new SleepApi(session);
  const lists = await Promise.all(WORKLOAD_KINDS.map(async (kind) => {
    try {
      return (await api.listWorkloads(kind, namespace)).map((w) => ({ kind, name: w.metadata?.name ?? '' }));
    } catch (error) {
      throw toTEnvError(error, session, `list ${api.resourceOf(kind)} in namespace ${namespace}`);
    }
  }));
  const all = lists.flat();
  if (all.some((w) => w.name === workload.name && (workload.kind === undefined || w.kind === workload.kind))) return;
  const names = [...new Set(all.map((w) => w.name))].sort();
  throw new NotFoundError(`The ${describeWorkload(workload)} in ${namespace}`,
    names.length === 0 ? `${namespace} has no workloads.` : `Workloads in ${namespace}: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … (${names.length})` : ''}.`);
}

/**
 * Streams the logs of every container of every pod of one workload into one sink, as batched
 * text (whole lines). In follow mode, a pod informer picks up new pods and ends deleted ones;
 * `dispose()` stops everything. With `follow: false`, `start()` prints each container's tail
 * once and the stream closes itself.
 */
export class WorkloadLogStream {
  readonly namespace: string;
  readonly workload: WorkloadLookup;
  /** Resolves once the stream is closed (disposed, or done printing in one-shot mode). */
  readonly closed: Promise<void>;
  private readonly session: KubeSession;
  private readonly controller = new AbortController();
  private readonly ctx: StreamContext;
  private readonly batcher: LogBatcher;
  private readonly options: WorkloadLogOptions;
  private informer: ResilientInformer<k8s.V1Pod> | undefined;
  /** Followed pods, by uid. */
  private readonly pods = new Map<string, PodLogs>();
  /** Pods whose streams endAll() ended: not followed again while they exist. */
  private readonly ended = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private synced = false;
  private disposed = false;
  private resolveClosed: () => void = () => undefined;
  private readonly onAbort = (): void => void this.dispose();

  constructor(session: KubeSession, namespace: string, workload: WorkloadLookup, sink: LogSink, options: WorkloadLogOptions = {}) {
    this.session = session;
    this.namespace = namespace;
    this.workload = workload;
    this.options = options;
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    this.batcher = new LogBatcher(sink, options.batch);
    this.ctx = {
      session, namespace,
      signal: this.controller.signal,
      follow: options.follow ?? true,
      tailLines: options.tailLines,
      sinceTime: options.sinceTime,
      timestamps: options.timestamps ?? false,
      maxLineBytes: options.maxLineBytes,
      controls: options.controls,
      retry: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      batcher: this.batcher,
      push: (line) => this.batcher.push(line),
      reportError: (error, source, willRetry) => options.onError?.(error, source, willRetry),
    };
    options.signal?.addEventListener('abort', this.onAbort);
  }

  /**
   * Follow mode: lists the pods and starts their streams; resolves once they are started.
   * One-shot mode: resolves once every tail is printed. Rejects with a typed error when the pods
   * cannot be listed (403, unreachable), or in one-shot mode when a log cannot be read.
   */
  async start(): Promise<void> {
    if (this.options.signal?.aborted) {
      await this.dispose();
      return;
    }
    if (!this.ctx.follow) {
      try {
        await this.printOnce();
      } finally {
        await this.dispose();
      }
      return;
    }
    const core = this.session.kc.makeApiClient(k8s.CoreV1Api);
    const informer = new ResilientInformer<k8s.V1Pod>(
      k8s.makeInformer(this.session.kc, `/api/v1/namespaces/${this.namespace}/pods`, () => core.listNamespacedPod({ namespace: this.namespace })),
      {
        initialDelayMs: this.ctx.retry.initial,
        maxDelayMs: this.ctx.retry.max,
        onError: (error) => this.ctx.reportError(toTEnvError(error, this.session, `watch pods in namespace ${this.namespace}`), undefined, true),
      },
    );
    informer.on('add', (pod) => this.podSeen(pod));
    informer.on('update', (pod) => this.podSeen(pod));
    informer.on('delete', (pod) => this.podDeleted(pod));
    this.informer = informer;
    try {
      await informer.start();
    } catch (error) {
      await this.dispose();
      throw toTEnvError(error, this.session, `list pods in namespace ${this.namespace}`);
    }
    if (this.disposed) {
      // dispose() ran while the first list was in flight: the watch it then opened must go too.
      await informer.stop();
      return;
    }
    this.synced = true;
    if (this.pods.size === 0) this.notice(`No pods of ${describeWorkload(this.workload)} yet; waiting for pods…`);
  }

  /** Lines dropped so far because the sink was slower than the logs (see LogBatcher). */
  get droppedLines(): number {
    return this.batcher.droppedLines;
  }

  /** Ends every current stream with one line (e.g. "environment went to sleep"); new pods are still picked up. */
  endAll(reason: string): void {
    for (const pod of this.pods.values()) {
      this.ended.add(pod.uid);
      pod.end();
    }
    this.pods.clear();
    this.notice(reason);
    this.batcher.flush();
  }

  /** Stops every stream, the watch and the timers; appends what was received. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return this.closed;
    this.disposed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.controller.abort();
    this.pods.clear();
    await this.informer?.stop();
    await Promise.allSettled(this.running);
    this.batcher.dispose();
    this.resolveClosed();
    return this.closed;
  }

  private notice(message: string, label = ''): void {
    this.batcher.push(formatNotice(message, label));
  }

  private podSeen(pod: k8s.V1Pod): void {
    if (this.disposed || !isPodOf(pod, this.workload)) return;
    const uid = podKey(pod);
    if (this.ended.has(uid)) return;
    const known = this.pods.get(uid);
    if (known) {
      for (const f of known.followers) f.podChanged(pod);
      return;
    }
    const logs = new PodLogs(this.ctx, pod);
    this.pods.set(uid, logs);
    if (this.synced) this.notice('new pod', logLabel(logs.name, '', 1));
    for (const f of logs.followers) this.track(f.follow());
  }

  private podDeleted(pod: k8s.V1Pod): void {
    const uid = podKey(pod);
    this.ended.delete(uid);
    const logs = this.pods.get(uid);
    if (!logs || this.disposed) return;
    this.pods.delete(uid);
    // kwok (and a kubelet that lost the pod) may keep a follow open: the watch is the authority.
    logs.end();
    this.notice('pod deleted; stream ended', logLabel(logs.name, '', 1));
    if (this.pods.size === 0) this.notice(`No pods of ${describeWorkload(this.workload)} left; waiting for new pods…`);
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async printOnce(): Promise<void> {
    const core = this.session.kc.makeApiClient(k8s.CoreV1Api);
    let list: k8s.V1PodList;
    try {
      list = await core.listNamespacedPod({ namespace: this.namespace });
    } catch (error) {
      throw toTEnvError(error, this.session, `list pods in namespace ${this.namespace}`);
    }
    const pods = podsOf(list.items, this.workload);
    if (pods.length === 0) this.notice(`No pods of ${describeWorkload(this.workload)}.`);
    for (const pod of pods) {
      const logs = new PodLogs(this.ctx, pod);
      this.pods.set(logs.uid, logs);
      for (const f of logs.followers) {
        if (this.disposed) return;
        await f.once();
        await this.batcher.drain();
      }
    }
    await this.batcher.drain();
  }
}

/**
 * Prints a workload's logs into `sink` until done: one-shot, or (follow) until `signal` aborts.
 * What `t logs` calls. Rejects with a typed error when nothing can be streamed.
 */
export async function streamWorkloadLogs(session: KubeSession, namespace: string, workload: WorkloadLookup, sink: LogSink, options: WorkloadLogOptions = {}): Promise<void> {
  const stream = new WorkloadLogStream(session, namespace, workload, sink, options);
  try {
    await stream.start();
    await stream.closed;
  } finally {
    await stream.dispose();
  }
}
