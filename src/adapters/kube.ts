// Kubernetes access: loading kubeconfigs, turning client-node failures into T-Env's typed errors,
// and informers that survive API-server restarts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  ClusterUnreachableError, ConflictError, describeError, ForbiddenError, KubeconfigError, NotFoundError, TEnvError, UnauthorizedError,
} from '../core/errors.ts';
import { redactCredentials } from '../core/sanitize.ts';

export { k8s };

export interface KubeTarget {
  /** Context to use; the kubeconfig's current context when absent. */
  context?: string | undefined;
  /** Explicit kubeconfig path(s) (`:`-separated like KUBECONFIG); KUBECONFIG/~/.kube/config otherwise. */
  kubeconfig?: string | undefined;
}

/** A loaded kubeconfig pinned to one context. */
export interface KubeSession {
  readonly kc: k8s.KubeConfig;
  readonly context: string;
  readonly server: string;
}

type Dispatcher = NonNullable<ReturnType<k8s.RequestContext['getDispatcher']>>;

/**
 * A kubeconfig whose API calls, watches and log requests share one keep-alive connection pool.
 * client-node 2.0.1 builds a new undici Agent for every request (in applySecurityAuthentication),
 * so every request pays a TCP and TLS handshake (measured: 8 ms instead of 2 ms per sequential
 * request, and a burst of 200 parallel requests takes 3-7 times as long). The first Agent of the
 * current context is kept and handed to every later request. Its TLS material (CA, client
 * certificate) comes from the kubeconfig and does not change, except when an exec plugin may hand
 * out new client certificates: then client-node keeps its Agent per request.
 */
class SessionKubeConfig extends k8s.KubeConfig {
  private shared: { context: string; dispatcher: Dispatcher } | undefined;

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const own = context.getDispatcher();
    if (own === undefined || this.getCurrentUser()?.exec !== undefined) return;
    const current = this.getCurrentContext();
    if (this.shared?.context === current) context.setDispatcher(this.shared.dispatcher);
    else this.shared = { context: current, dispatcher: own };
  }
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

let ownNamespaceRead: { value: string | undefined } | undefined;

/** The namespace this process runs in, inside a pod (the sleeper's own, never to be slept); else undefined. */
export function ownNamespace(): string | undefined {
  if (ownNamespaceRead === undefined) {
    let value: string | undefined;
    try { value = fs.readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined; } catch { value = undefined; }
    ownNamespaceRead = { value };
  }
  return ownNamespaceRead.value;
}

/**
 * Loads the kubeconfig like kubectl: every existing file of KUBECONFIG (or the explicit list),
 * merged with the first file's current context winning; else ~/.kube/config; else, inside a pod,
 * the pod's service account. Then selects the context.
 */
export function loadKubeConfig(target: KubeTarget = {}, env: NodeJS.ProcessEnv = process.env): KubeSession {
  const kc = new SessionKubeConfig();
  const list = target.kubeconfig ?? env['KUBECONFIG'];
  const home = env['HOME'] ?? os.homedir();
  const files = (list ? list.split(path.delimiter) : [path.join(home, '.kube', 'config')]).filter((f) => f && fs.existsSync(f));
  let current = '';
  try {
    if (files.length === 0) {
      if (!list && fs.existsSync(SERVICE_ACCOUNT_TOKEN)) {
        kc.loadFromCluster();
      } else {
        throw new KubeconfigError(list ? `No kubeconfig found: none of the KUBECONFIG files exist (${list}).` : 'No kubeconfig found: KUBECONFIG is not set and ~/.kube/config does not exist.',
          'Set KUBECONFIG or create ~/.kube/config (for example with your cloud CLI).');
      }
    } else {
      for (const [i, file] of files.entries()) {
        const part = new k8s.KubeConfig();
        part.loadFromFile(file);
        if (i === 0) { kc.loadFromFile(file); current = part.getCurrentContext(); } else kc.mergeConfig(part, true);
      }
      if (current) kc.setCurrentContext(current);
    }
  } catch (error) {
    if (error instanceof TEnvError) throw error;
    // The parser's message names the problem, not the file's secrets; keep only its first line.
    const first = redactCredentials(describeError(error).split('\n')[0]?.slice(0, 200) ?? '');
    throw new KubeconfigError(`The kubeconfig ${files.join(path.delimiter)} cannot be read: ${first}`, 'Fix the file or point KUBECONFIG at another one.', error);
  }
  if (kc.getContexts().length === 0) {
    throw new KubeconfigError(`The kubeconfig ${files.join(path.delimiter)} lists no contexts.`, 'Check the KUBECONFIG files.');
  }
  const context = target.context ?? kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name).join(', ');
    throw new KubeconfigError(`The kube context "${context}" does not exist (known: ${known || 'none'}).`, 'Pick one of the known contexts.');
  }
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`The kube context "${context}" names no cluster.`);
  return { kc, context, server: cluster.server };
}

/** Context names of the kubeconfig, with the current one. */
export function listContexts(target: KubeTarget = {}): { contexts: string[]; current: string } {
  const session = loadKubeConfig({ kubeconfig: target.kubeconfig });
  return { contexts: session.kc.getContexts().map((c) => c.name), current: session.context };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a client-node failure into a typed error. `permission` says what was attempted
 * (e.g. "list namespaces") so that a 403 names the missing right.
 */
export function toTEnvError(error: unknown, session: Pick<KubeSession, 'context' | 'server'>, permission: string, what = 'The object'): Error {
  if (error instanceof TEnvError) return error;
  if (error instanceof k8s.ApiException) {
    const code = error.code;
    if (code === 401) return new UnauthorizedError(session.context, error);
    if (code === 403) return new ForbiddenError(permission, error);
    if (code === 404) return new NotFoundError(what);
    if (code === 409) return new ConflictError(what, error);
    const message = statusMessage(error.body);
    return new TEnvError('api', `The cluster refused to ${permission}: ${message ?? `HTTP ${code}`}.`, { actions: ['retry', 'showLog'], cause: error });
  }
  const code = errorCode(error);
  if ((code && NETWORK_CODES.has(code)) || (error instanceof TypeError && error.message === 'fetch failed')) {
    return new ClusterUnreachableError(session.server, error);
  }
  if (error instanceof Error && error.name === 'AbortError') return error;
  // Not an API answer: often the kubeconfig's exec credential plugin, whose stderr (or
  // unparseable output) may hold secrets: redacted.
  const detail = redactCredentials(describeError(error).split('\n')[0] ?? '');
  return new TEnvError('api', `Failed to ${permission}: ${detail}`, { actions: ['showLog'], cause: error });
}

/** The API server's own words in an error body (a Status object, as JSON or parsed), or its first 200 characters. */
export function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try { parsed = JSON.parse(body); } catch { return body ? body.slice(0, 200) : undefined; }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

export function isApiStatus(error: unknown, code: number): boolean {
  return error instanceof k8s.ApiException && error.code === code;
}

export const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export type InformerState = 'connecting' | 'connected' | 'reconnecting';

export interface ResilientInformerOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  onError?: (error: unknown) => void;
  onState?: (state: InformerState) => void;
}

/**
 * A client-node informer that restarts itself after a failure (client-node's own informer stops
 * on any error other than a watch timeout or 410). It resumes from the last resourceVersion, so
 * no update is missed across an API-server restart, and backs off 1 s … 30 s between attempts.
 */
export class ResilientInformer<T extends k8s.KubernetesObject> {
  private readonly informer: k8s.Informer<T> & k8s.ObjectCache<T>;
  private readonly options: ResilientInformerOptions;
  private stopped = false;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  /** True once the first list has been delivered. */
  synced = false;

  constructor(informer: k8s.Informer<T> & k8s.ObjectCache<T>, options: ResilientInformerOptions = {}) {
    this.informer = informer;
    this.options = options;
    this.delayMs = options.initialDelayMs ?? 1000;
    informer.on('error', (error: unknown) => this.failed(error));
    informer.on('connect', () => this.options.onState?.('connected'));
  }

  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void {
    this.informer.on(verb, cb);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /** Starts listing and watching; resolves after the first successful list, rejects if it fails. */
  async start(): Promise<void> {
    this.stopped = false;
    this.options.onState?.('connecting');
    let firstError: unknown;
    const onFirstError = (error: unknown): void => { firstError ??= error; };
    this.informer.on('error', onFirstError);
    try {
      await this.informer.start();
    } catch (error) {
      firstError ??= error;
    } finally {
      this.informer.off('error', onFirstError);
    }
    if (firstError !== undefined) {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      await this.informer.stop();
      throw firstError instanceof Error ? firstError : new Error(`The informer failed: ${describeError(firstError)}`);
    }
    this.synced = true;
    this.delayMs = this.options.initialDelayMs ?? 1000;
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    this.options.onError?.(error);
    this.options.onState?.('reconnecting');
    if (this.timer) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 30_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.informer.start().then(() => {
        // start() resolves after a list or a watch was opened; success resets the backoff.
        if (!this.stopped) this.delayMs = this.options.initialDelayMs ?? 1000;
      }, (e: unknown) => this.failed(e));
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.informer.stop();
  }
}
