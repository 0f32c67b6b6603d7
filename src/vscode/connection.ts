// The connection to the selected cluster context: owns the EnvironmentStore, remembers the
// context per workspace, publishes the state the views and the welcome content depend on.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { developerOwner } from '../core/environment.ts';
import type { BaselineView } from '../core/baseline-view.ts';
import type { EnvironmentInfo } from '../core/environment.ts';
import { asError, isTEnvError, serverForDisplay } from '../core/errors.ts';
import type { ErrorKind } from '../core/errors.ts';
import { config } from './config.ts';
import { runtime } from './runtime-loader.ts';
import type { KubeSession, StoreStatus } from '../adapters/runtime.ts';
import type { KnownEnvironment } from '../adapters/sleep.ts';
import type { ReadinessSource } from '../adapters/wait-ready.ts';
import type { EnvironmentStore } from '../adapters/environment-store.ts';

export type ClusterState = 'idle' | 'loading' | 'ready' | 'reconnecting' | 'noKubeconfig' | 'unreachable' | 'forbidden' | 'unauthorized' | 'error';

/** The state a failed connection shows (each has its own welcome view); anything else is `error`. */
const FAILED_STATE: Record<ErrorKind, ClusterState> = {
  'kubeconfig': 'noKubeconfig',
  'unreachable': 'unreachable',
  'forbidden': 'forbidden',
  'unauthorized': 'unauthorized',
  'invalid-input': 'error', 'usage': 'error', 'no-folder': 'error', 'no-service': 'error', 'untrusted': 'error',
  'cli-missing': 'error', 'cli-failed': 'error', 'api': 'error', 'timeout': 'error', 'cancelled': 'error',
  'not-found': 'error', 'exists': 'error', 'conflict': 'error', 'rejected': 'error', 'not-environment': 'error',
  'protected-namespace': 'error', 'not-baseline': 'error', 'no-baseline': 'error', 'not-overlay': 'error', 'dev-mode': 'error', 'git-failed': 'error', 'not-owner': 'error', 'refused': 'error', 'confirm-required': 'error',
};
const FAILED_STATES: ReadonlySet<ClusterState> = new Set(['error', ...Object.values(FAILED_STATE)]);

const CONTEXT_KEY = 'tenv.kubeContext';

export class ClusterConnection implements vscode.Disposable {
  private store: EnvironmentStore | undefined;
  private starting: Promise<EnvironmentStore | undefined> | undefined;
  private _state: ClusterState = 'idle';
  private _error: Error | undefined;
  private _session: KubeSession | undefined;
  private identity: { session: KubeSession; username: Promise<string> } | undefined;
  private readonly changed = new vscode.EventEmitter<ReadonlySet<string> | undefined>();
  private readonly stateChanged = new vscode.EventEmitter<ClusterState>();
  private unsubscribe: (() => void)[] = [];
  /** Fires with the environments that changed, or undefined when everything may have. */
  readonly onDidChange = this.changed.event;
  readonly onDidChangeState = this.stateChanged.event;

  private readonly memento: vscode.Memento;
  private readonly log: vscode.LogOutputChannel;

  constructor(memento: vscode.Memento, log: vscode.LogOutputChannel) {
    this.memento = memento;
    this.log = log;
  }

  get state(): ClusterState { return this._state; }
  get session(): KubeSession | undefined { return this._session; }
  /** The context picked for this workspace, if any (else the kubeconfig's current one). */
  get selectedContext(): string | undefined { return this.memento.get<string>(CONTEXT_KEY); }

  /** The developer's owner label. */
  me(): string {
    return developerOwner(config.user(), process.env['T_ENV_USER'], os.userInfo().username);
  }

  environments(): EnvironmentInfo[] {
    return this.store?.environments() ?? [];
  }

  environment(name: string): EnvironmentInfo | undefined {
    return this.store?.environment(name);
  }

  /** The environment's objects as the store watches them, for writes planned without reading them again. */
  known(name: string): KnownEnvironment | undefined {
    return this.store?.known(name);
  }

  /** Waiting for the environment's pods on the store's own watches. */
  readiness(name: string): ReadinessSource | undefined {
    return this.store?.readiness(name);
  }

  /** The API server's name for the user (SelfSubjectReview), asked once per session; a failure is asked again next time. Wake and Start Dev only name the user in an Event with it: they go on without it. */
  async username(): Promise<string> {
    const session = await this.requireSession();
    if (this.identity?.session !== session) {
      const asked = runtime().whoAmI(session);
      this.identity = { session, username: asked };
      asked.catch(() => { if (this.identity?.username === asked) this.identity = undefined; }); // asked again next time
    }
    return this.identity.username;
  }

  /** The cluster's baselines with their workloads (read-only). */
  baselines(): BaselineView[] {
    return this.store?.baselines() ?? [];
  }

  /** Connects (once) and resolves with the store, or undefined when the cluster is unusable. */
  async ensureStarted(): Promise<EnvironmentStore | undefined> {
    if (this.store) return this.store;
    this.starting ??= this.start();
    return this.starting;
  }

  /** Requires a working connection, for commands: throws the connection's typed error. */
  async requireSession(): Promise<KubeSession> {
    await this.ensureStarted();
    if (this._session && this.store) return this._session;
    throw this._error ?? new Error('Not connected to a cluster.');
  }

  private async start(): Promise<EnvironmentStore | undefined> {
    this.setState('loading');
    const rt = runtime();
    try {
      const session = rt.loadKubeConfig({ context: this.selectedContext });
      this._session = session;
      this.log.info(`Connecting to context "${session.context}" (${serverForDisplay(session.server)})`);
      const store = new rt.EnvironmentStore(session, { onLog: (m) => this.log.warn(m) });
      this.unsubscribe.push(store.onDidChange((names) => this.changed.fire(names)));
      this.unsubscribe.push(store.onDidChangeStatus((s) => this.storeStatus(s)));
      const started = Date.now();
      await store.start();
      this.store = store;
      this.log.info(`Loaded ${store.environments().length} environments in ${Date.now() - started} ms`);
      this.setState('ready');
      this.changed.fire(undefined);
      return store;
    } catch (error) {
      this.failed(error);
      return undefined;
    } finally {
      this.starting = undefined;
    }
  }

  private storeStatus(status: StoreStatus): void {
    if (status.kind === 'reconnecting') {
      this.log.warn(status.error.message);
      this.setState('reconnecting');
    } else if (status.kind === 'ready' && this._state === 'reconnecting') {
      this.log.info('Reconnected to the cluster.');
      this.setState('ready');
    }
  }

  private failed(error: unknown): void {
    const e = asError(error);
    this._error = e;
    this.log.error(`Cannot load environments: ${e.message}`);
    this.setState(isTEnvError(e) ? FAILED_STATE[e.kind] : 'error');
    this.changed.fire(undefined);
  }

  private setState(state: ClusterState): void {
    if (!FAILED_STATES.has(state)) this._error = undefined;
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'tenv.clusterState', state);
    this.stateChanged.fire(state);
  }

  /** Drops the connection and connects again (Refresh, Retry, context switch). */
  async reconnect(): Promise<void> {
    await this.stop();
    await this.ensureStarted();
  }

  async selectContext(context: string | undefined): Promise<void> {
    await this.memento.update(CONTEXT_KEY, context);
    await this.reconnect();
  }

  private async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    const store = this.store;
    this.store = undefined;
    this._session = undefined;
    await store?.dispose();
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
    this.stateChanged.dispose();
  }
}
