// The sleeper's Prometheus metrics (`t sleeper --metrics-port`), fed by its hooks: the listing
// (`onListed`), the pass and failed-pass events, and every successful API patch (`afterRequest`).
// Names, all prefixed `tenv_sleeper_`:
//   environments{state}                    gauge: environments by what the last pass wants them to
//                                          be: awake, asleep, unscheduled (no schedule: left
//                                          alone) or problem (corrupt annotations: left alone)
//   environment_asleep{namespace,owner}    gauge: 1 asleep, 0 otherwise, per environment
//   avoided_cpu_core_seconds_total{namespace,owner}     counters: CPU requests (cores) and memory
//   avoided_memory_gib_seconds_total{namespace,owner}   requests (GiB) × the replicas that slept ×
//                                          seconds asleep since the previous pass (savings.ts)
//   pass_duration_seconds                  histogram of pass durations
//   patches_total{resource}                successful API patches by plural resource
//   errors_total{kind}                     failed passes (`pass`) and environments with a problem
//                                          in a pass (`environment`)
//   last_pass_timestamp_seconds            when the last successful pass started
// Seconds asleep come from the sleep ledger as `t report` reads it (asleepSecondsBetween in
// core/sleep-ledger.ts: the ledger at this pass against the ledger at the previous one), so a
// manual sleep between passes counts, and a restart never counts twice: the counters start at zero
// (Prometheus' increase() reads that as a reset) and the first pass after a start counts nothing.
// Label values come from the cluster: anything but a valid Kubernetes name or label value becomes
// `(invalid)`, an empty owner `(none)` (neither can be a real value), so a series cannot be
// forged or grow without bound; series of environments that are gone are removed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ANNOTATION_TIMEZONE, LABEL_OWNER } from '../core/environment.ts';
import type { CronJobLike, ScalableLike } from '../core/environment.ts';
import { environmentWorkloads } from '../core/environment-workloads.ts';
import { InvalidInputError } from '../core/errors.ts';
import { SCALABLE_KINDS } from '../core/kinds.ts';
import type { ScalableKind } from '../core/kinds.ts';
import { sleepingRequests } from '../core/savings.ts';
import { ANNOTATION_SLEEP_LEDGER, asleepSecondsBetween, ledgerZone, parseLedger } from '../core/sleep-ledger.ts';
import type { LedgerReading } from '../core/sleep-ledger.ts';
import type { ApiRequest, RequestHooks } from './sleep-api.ts';
import type { ListedEnvironment, RunSleeperOptions, SleeperEvent, SleeperPass } from './sleeper.ts';

export const METRIC_PREFIX = 'tenv_sleeper_';
export const ENVIRONMENT_STATES = ['awake', 'asleep', 'unscheduled', 'problem'] as const;
export type EnvironmentMetricState = (typeof ENVIRONMENT_STATES)[number];
/** Pass durations: a steady pass over a few environments takes tens of ms, a large cluster seconds. */
const PASS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** A Kubernetes label value (also covers namespace names): at most 63 characters of this shape. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A label value from the cluster, bounded: itself when it is a valid name or label value. */
export function metricLabel(value: string | undefined): string {
  if (value === undefined || value === '') return '(none)';
  return value.length <= 63 && LABEL_VALUE.test(value) ? value : '(invalid)';
}

/** What a listing says about one environment, kept until the next pass; `at` is the pass's clock. */
interface Observation extends LedgerReading {
  readonly labels: { namespace: string; owner: string };
  /** Requests that sleep with the environment (savings.ts). */
  readonly cpuCores: number;
  readonly memoryGiB: number;
}

function observe(env: ListedEnvironment, now: Date): Observation {
  const meta = env.ns.metadata ?? {};
  const scalable = Object.fromEntries(SCALABLE_KINDS.map((kind) => [kind, [] as ScalableLike[]])) as Record<ScalableKind, ScalableLike[]>;
  const cronJobs: CronJobLike[] = [];
  // The lists return whole API objects: the pod template (and its requests) is there.
  for (const { kind, obj } of env.workloads) {
    if (kind === 'CronJob') cronJobs.push(obj);
    else scalable[kind].push(obj);
  }
  let cpuCores = 0;
  let memoryGiB = 0;
  for (const workload of environmentWorkloads({ scalable, cronJobs, pods: [], events: [] })) {
    const requests = sleepingRequests(workload);
    cpuCores += requests.cpuCores;
    memoryGiB += requests.memoryGiB;
  }
  return {
    labels: { namespace: metricLabel(meta.name), owner: metricLabel(meta.labels?.[LABEL_OWNER]) },
    at: now.getTime(),
    zone: ledgerZone(meta.annotations?.[ANNOTATION_TIMEZONE]),
    ledger: parseLedger(meta.annotations?.[ANNOTATION_SLEEP_LEDGER]).ledger,
    cpuCores,
    memoryGiB,
  };
}

/** The hooks `instrument` sets (and chains to the ones it was given). */
export interface InstrumentedHooks {
  onListed: (environments: readonly ListedEnvironment[], now: Date) => void;
  onEvent: (event: SleeperEvent) => void;
  hooks: { beforeRequest?: RequestHooks['beforeRequest']; afterRequest: (request: ApiRequest) => Promise<void> };
}

/** The sleeper's metrics in their own registry (nothing global: tests make as many as they like). */
export class SleeperMetrics {
  readonly registry = new Registry();
  private readonly environments = this.gauge('environments', 'Environments by the state the last pass wants them in (unscheduled and problem: left alone).', ['state']);
  private readonly asleep = this.gauge('environment_asleep', '1 when the last pass wants the environment asleep, else 0.', ['namespace', 'owner']);
  private readonly avoidedCpu = this.counter('avoided_cpu_core_seconds_total', 'CPU requests (cores) of the replicas that slept, times the seconds asleep (the sleep ledger).', ['namespace', 'owner']);
  private readonly avoidedMemory = this.counter('avoided_memory_gib_seconds_total', 'Memory requests (GiB) of the replicas that slept, times the seconds asleep (the sleep ledger).', ['namespace', 'owner']);
  private readonly passDuration = new Histogram({ name: `${METRIC_PREFIX}pass_duration_seconds`, help: 'Duration of sleeper passes.', buckets: PASS_BUCKETS, registers: [this.registry] });
  private readonly patches = this.counter('patches_total', 'Successful API patches by resource (workloads, namespaces, ScaledObjects).', ['resource']);
  private readonly errors = this.counter('errors_total', 'Failed passes (kind="pass") and environments with a problem in a pass (kind="environment").', ['kind']);
  private readonly lastPass = this.gauge('last_pass_timestamp_seconds', 'When the last successful pass started (Unix seconds).', []);
  /** The listing of the pass in progress, by environment name. */
  private listed: Map<string, Observation> | undefined;
  /** The last successful pass's observations, by environment name. */
  private previous = new Map<string, Observation>();

  constructor() {
    for (const state of ENVIRONMENT_STATES) this.environments.set({ state }, 0);
    for (const kind of ['pass', 'environment']) this.errors.inc({ kind }, 0);
  }

  /** Every metric name this registry exposes (histograms with their `_bucket`, `_sum` and `_count`). */
  metricNames(): string[] {
    return this.registry.getMetricsAsArray().flatMap((m) => (m instanceof Histogram ? ['_bucket', '_sum', '_count'].map((s) => `${m.name}${s}`) : [m.name]));
  }

  /** `options` with the metrics' hooks added (the ones given still run). */
  instrument<T extends RunSleeperOptions>(options: T): Omit<T, keyof InstrumentedHooks> & InstrumentedHooks {
    const { onEvent, onListed, hooks } = options;
    return {
      ...options,
      onListed: (environments: readonly ListedEnvironment[], now: Date): void => {
        this.listed = new Map(environments.map((env) => [env.ns.metadata?.name ?? '', observe(env, now)]));
        onListed?.(environments, now);
      },
      onEvent: (event: SleeperEvent): void => {
        this.record(event);
        onEvent?.(event);
      },
      hooks: {
        ...hooks,
        afterRequest: async (request: ApiRequest): Promise<void> => {
          if (request.verb === 'patch') this.patches.inc({ resource: metricLabel(request.resource) });
          await hooks?.afterRequest?.(request);
        },
      },
    };
  }

  private record(event: SleeperEvent): void {
    if (event.type === 'pass') this.recordPass(event.pass);
    else if (event.type === 'pass-failed') {
      this.errors.inc({ kind: 'pass' });
      this.listed = undefined;
    }
  }

  private recordPass(pass: SleeperPass): void {
    this.passDuration.observe(pass.durationMs / 1000);
    this.lastPass.set(Date.parse(pass.startedAt) / 1000);
    const listed = this.listed ?? new Map<string, Observation>();
    this.listed = undefined;
    const counts = new Map<EnvironmentMetricState, number>(ENVIRONMENT_STATES.map((s) => [s, 0]));
    const current = new Map<string, Observation>();
    let problems = 0;
    for (const result of pass.environments) {
      const seen = listed.get(result.name);
      if (seen === undefined) continue;
      const state: EnvironmentMetricState = result.desired ?? (result.problems.length > 0 ? 'problem' : 'unscheduled');
      counts.set(state, (counts.get(state) ?? 0) + 1);
      if (result.problems.length > 0) problems++;
      const before = this.previous.get(result.name);
      if (before !== undefined && (before.labels.namespace !== seen.labels.namespace || before.labels.owner !== seen.labels.owner)) this.removeSeries(before);
      this.asleep.set(seen.labels, state === 'asleep' ? 1 : 0);
      const seconds = before === undefined ? 0 : asleepSecondsBetween(before, seen);
      this.avoidedCpu.inc(seen.labels, seen.cpuCores * seconds);
      this.avoidedMemory.inc(seen.labels, seen.memoryGiB * seconds);
      current.set(result.name, seen);
    }
    for (const [name, gone] of this.previous) if (!current.has(name)) this.removeSeries(gone);
    this.previous = current;
    for (const [state, count] of counts) this.environments.set({ state }, count);
    this.errors.inc({ kind: 'environment' }, problems);
  }

  private removeSeries(observation: Observation): void {
    this.asleep.remove(observation.labels);
    this.avoidedCpu.remove(observation.labels);
    this.avoidedMemory.remove(observation.labels);
  }

  private gauge<T extends string>(name: string, help: string, labelNames: readonly T[]): Gauge<T> {
    return new Gauge({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }

  private counter<T extends string>(name: string, help: string, labelNames: readonly T[]): Counter<T> {
    return new Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }
}

/** The HTTP endpoint; `close()` (or `await using`) stops it and drops its connections. */
export interface MetricsServer extends AsyncDisposable {
  /** The port it listens on (the one given, or the one chosen for 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `GET /metrics` on `port` (all interfaces unless `host`), in the content
 * type of the registry; 404 for any other path, 405 for other methods.
 */
export async function serveMetrics(registry: Registry, port: number, host?: string): Promise<MetricsServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidInputError(`Invalid metrics port ${port}: expected 0 to 65535.`);
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    registry.metrics().then((text) => {
      response.writeHead(200, { 'Content-Type': registry.contentType }).end(request.method === 'HEAD' ? undefined : text);
    }, (error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Could not collect the metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'it is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new InvalidInputError(`Cannot serve metrics on port ${port}: ${why}.`, 'Choose another --metrics-port.'));
    });
    server.listen(port, host, () => resolve());
  });
  const close = (): Promise<void> => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return { port: (server.address() as AddressInfo).port, close, [Symbol.asyncDispose]: close };
}
