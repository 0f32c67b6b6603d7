// Sleep and wake scenarios: waking one environment of N workloads in parallel vs one by one, and
// one sleeper pass over the scale fixture (time and API requests: one list per kind plus one patch
// per workload that must change). Every size is a parameter so CI can run a smoke version.
//
// Run alone: node bench/sleep.ts [environments=10] [workloadsPerEnvironment=20] [wakeWorkloads=40]
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../src/adapters/kube.ts';
import type { KubeSession } from '../src/adapters/kube.ts';
import { EnvironmentStore } from '../src/adapters/environment-store.ts';
import { sleepEnvironment, wakeEnvironment } from '../src/adapters/sleep.ts';
import { RequestCounter } from '../src/adapters/sleep-api.ts';
import type { ApiRequest } from '../src/adapters/sleep-api.ts';
import { reconcileAll } from '../src/adapters/sleeper.ts';
import type { SleeperPass } from '../src/adapters/sleeper.ts';
import { createEnvironmentFixture } from '../test/fixtures/environments.ts';
import type { WorkloadSpec } from '../test/fixtures/environments.ts';
import { ensureScaleFixture, scaleWorkloads } from './scale-fixture.ts';
import { limited, median, round } from './stats.ts';

const BEFORE = 't-env.dev/replicas-before-sleep';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WakeBenchResult {
  workloads: number;
  runs: number;
  /** Median wall time of `wakeEnvironment` (workload patches in parallel). */
  parallelMs: number;
  /** The same wake with one patch at a time (same client, same requests). */
  sequentialMs: number;
  /** Plain client-node, one `patchNamespacedDeployment`-style call after another (a script's loop). */
  naiveMs: number;
  /** sequentialMs / parallelMs */
  ratio: number;
  naiveRatio: number;
  requestsPerWake: number;
  /** sequentialMs / requestsPerWake: one request's round trip, writes included. */
  roundTripMs: number;
  /** parallelMs in round trips. The CLI's wake has three dependent steps (read + lists, marker, patches). */
  parallelRoundTrips: number;
  /** Median wall time of the extension's wake: from the store's data (no read), the user known. */
  extensionMs: number;
  /** extensionMs in round trips (two dependent steps: marker, patches). */
  extensionRoundTrips: number;
  /**
   * The physical floor of a wake: the minimal client (barePatcher) sending only the workloads'
   * merge patches, all at once, with nothing before them (no marker, no ledger, no Event).
   */
  floorMs: number;
  floorRoundTrips: number;
}

function wakeWorkloads(count: number): WorkloadSpec[] {
  return Array.from({ length: count }, (_, i): WorkloadSpec => {
    if (i % 20 === 19) return { kind: 'CronJob', name: `job-${i}` };
    if (i % 20 === 18) return { kind: 'StatefulSet', name: `db-${i}`, replicas: 1 };
    return { kind: 'Deployment', name: `svc-${i}`, replicas: 1 };
  });
}

async function ensureWakeFixture(kc: k8s.KubeConfig, name: string, workloads: number): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  try {
    await core.readNamespace({ name });
    return;
  } catch (error) {
    if (!(error instanceof k8s.ApiException && error.code === 404)) throw error;
  }
  await createEnvironmentFixture(kc, { name, owner: 'bench', awakeHours: 'always', workloads: wakeWorkloads(workloads) });
}

/**
 * Wakes an environment of `workloads` workloads `runs` times each way: in parallel (the product),
 * one patch at a time through the same client, and with plain client-node calls in a loop.
 */
export async function benchWake(session: KubeSession, options: { workloads?: number; runs?: number; log?: (m: string) => void } = {}): Promise<WakeBenchResult> {
  const workloads = options.workloads ?? 40;
  const runs = options.runs ?? 5;
  const name = `sleep-bench-${workloads}`;
  const kc = session.kc;
  await ensureWakeFixture(kc, name, workloads);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  // What a script would do: read what was recorded, then patch each workload in turn.
  const naiveWake = async (): Promise<void> => {
    const [deployments, statefulSets, cronJobs] = await Promise.all([
      apps.listNamespacedDeployment({ namespace: name }), apps.listNamespacedStatefulSet({ namespace: name }), batch.listNamespacedCronJob({ namespace: name }),
    ]);
    for (const d of deployments.items) {
      await apps.patchNamespacedDeployment({ namespace: name, name: d.metadata!.name!, body: { metadata: { annotations: { [BEFORE]: null } }, spec: { replicas: Number(d.metadata?.annotations?.[BEFORE] ?? 1) } } }, mergePatch);
    }
    for (const s of statefulSets.items) {
      await apps.patchNamespacedStatefulSet({ namespace: name, name: s.metadata!.name!, body: { metadata: { annotations: { [BEFORE]: null } }, spec: { replicas: Number(s.metadata?.annotations?.[BEFORE] ?? 1) } } }, mergePatch);
    }
    for (const c of cronJobs.items) {
      await batch.patchNamespacedCronJob({ namespace: name, name: c.metadata!.name!, body: { metadata: { annotations: { [BEFORE]: null } }, spec: { suspend: c.metadata?.annotations?.[BEFORE] === 'true' } } }, mergePatch);
    }
  };

  const core = kc.makeApiClient(k8s.CoreV1Api);
  const pods = async (): Promise<number> => (await core.listNamespacedPod({ namespace: name })).items.length;
  const running = async (): Promise<number> => (await core.listNamespacedPod({ namespace: name })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).length;
  const wanted = wakeWorkloads(workloads).filter((w) => w.kind !== 'CronJob').length;
  /** Benchmark-only polling: wait until the controllers are done, so each variant starts from a quiet cluster. */
  const settle = async (check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!(await check()) && Date.now() < deadline) await sleep(250);
    await sleep(500);
  };

  const parallel: number[] = [];
  const sequential: number[] = [];
  const naive: number[] = [];
  const extension: number[] = [];
  const floor: number[] = [];
  let requestsPerWake = 0;
  const bare = await barePatcher(session);
  const floorWake = (): Promise<unknown> => Promise.all(wakeWorkloads(workloads).map((w) => bare.patch(name, w, JSON.stringify({
    metadata: { annotations: { [BEFORE]: null } }, spec: w.kind === 'CronJob' ? { suspend: false } : { replicas: w.replicas ?? 1 },
  }))));
  // The extension's tree holds the environment in its store: its wake plans from that.
  const store = new EnvironmentStore(session, { batchMs: 20 });
  await store.start();
  try {
    await settle(async () => (await running()) === wanted);
    for (let run = 0; run < runs; run++) {
      for (const mode of ['parallel', 'sequential', 'naive', 'extension', 'floor'] as const) {
        await sleepEnvironment(session, name);
        await settle(async () => (await pods()) === 0);
        const started = performance.now();
        if (mode === 'naive') {
          await naiveWake();
        } else if (mode === 'floor') {
          await floorWake();
        } else {
          // The CLI's wake names who did it in the Event (a SelfSubjectReview); the extension knows the user already.
          const result = await wakeEnvironment(session, name, mode === 'extension'
            ? { minimumHours: 1, concurrency: 64, known: store.known(name), actor: { via: 'VS Code', user: 'bench' } }
            : { minimumHours: 1, concurrency: mode === 'parallel' ? 64 : 1, actor: { via: 'the CLI' } });
          if (result.changed !== workloads) throw new Error(`woke ${result.changed} of ${workloads} workloads`);
          if (mode === 'sequential') requestsPerWake = result.requests;
        }
        ({ parallel, sequential, naive, extension, floor })[mode].push(performance.now() - started);
        await settle(async () => (await running()) === wanted);
      }
      options.log?.(`  wake run ${run + 1}/${runs}: parallel ${round(parallel.at(-1)!)} ms, sequential ${round(sequential.at(-1)!)} ms, naive ${round(naive.at(-1)!)} ms, extension ${round(extension.at(-1)!)} ms, floor ${round(floor.at(-1)!)} ms`);
    }
  } finally {
    bare.close();
    await store.dispose();
  }
  const roundTripMs = median(sequential) / requestsPerWake;
  return {
    workloads, runs,
    parallelMs: round(median(parallel)), sequentialMs: round(median(sequential)), naiveMs: round(median(naive)),
    ratio: round(median(sequential) / median(parallel), 1), naiveRatio: round(median(naive) / median(parallel), 1),
    requestsPerWake, roundTripMs: round(roundTripMs, 2), parallelRoundTrips: round(median(parallel) / roundTripMs, 1),
    extensionMs: round(median(extension)), extensionRoundTrips: round(median(extension) / roundTripMs, 1),
    floorMs: round(median(floor)), floorRoundTrips: round(median(floor) / roundTripMs, 1),
  };
}

export interface PassBenchResult {
  environments: number;
  workloads: number;
  /** Seconds to create the scale fixture (0 when it existed) and wait for its pods. */
  fixtureSeconds: number;
  sleep: PassSummary;
  /** The same instant again: nothing to change. */
  steady: PassSummary;
  wake: PassSummary;
  /** The physical limit of the sleep pass's writes on this API server, measured in the same run. */
  limit: PatchLimit;
  /** sleep.ms / limit.ms: how far the sleeper's pass is from bare patches (target ≤ 1.3). */
  ratioToLimit: number;
}

export interface PatchLimit {
  /** Wall time of the fastest concurrency: one bare merge patch per workload (no reads, no lists). */
  ms: number;
  patches: number;
  concurrency: number;
  /** Wall time per concurrency tried. */
  byConcurrency: Record<string, number>;
}

/**
 * The limit a sleep pass cannot beat: a minimal client (one keep-alive connection pool, no reads,
 * no lists, no retries) sends one JSON merge patch per workload of `names`, setting `spec.replicas`
 * to 0 (a CronJob: `spec.suspend`) together with an annotation that changes each time, so every
 * patch is a real write as the sleeper's are. Tried at several concurrencies; the fastest counts.
 * After each try every workload gets its count back and the cluster settles (untimed).
 */
/**
 * A minimal client for physical limits: one keep-alive connection pool, JSON merge patches of a
 * workload, no reads, no retries, no deserialization of the answer.
 */
async function barePatcher(session: KubeSession): Promise<{ patch: (ns: string, w: WorkloadSpec, body: string) => Promise<void>; close: () => void }> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256 });
  const options: https.RequestOptions = {};
  await session.kc.applyToHTTPSOptions(options);
  const server = new URL(session.server);
  const pathOf = (ns: string, w: WorkloadSpec): string => w.kind === 'CronJob'
    ? `/apis/batch/v1/namespaces/${ns}/cronjobs/${w.name}`
    : `/apis/apps/v1/namespaces/${ns}/${w.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${w.name}`;
  const patch = (ns: string, w: WorkloadSpec, body: string): Promise<void> => new Promise((resolve, reject) => {
    const req = https.request({
      ...options, agent, hostname: server.hostname, port: server.port, method: 'PATCH', path: pathOf(ns, w),
      headers: { ...(options.headers ?? {}), 'Content-Type': 'application/merge-patch+json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PATCH ${pathOf(ns, w)}: HTTP ${res.statusCode ?? '?'}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  return { patch, close: () => agent.destroy() };
}

async function patchLimit(session: KubeSession, names: readonly string[], perEnvironment: number, settle: () => Promise<void>): Promise<PatchLimit> {
  const { patch, close } = await barePatcher(session);
  const targets = names.flatMap((ns) => scaleWorkloads(perEnvironment).map((w) => ({ ns, w })));
  const asleep = (w: WorkloadSpec, mark: string): string => JSON.stringify({
    metadata: { annotations: { 'bench.t-env.dev/limit': mark } }, spec: w.kind === 'CronJob' ? { suspend: true } : { replicas: 0 },
  });
  const restored = (w: WorkloadSpec): string => JSON.stringify({
    metadata: { annotations: { 'bench.t-env.dev/limit': null } }, spec: w.kind === 'CronJob' ? { suspend: false } : { replicas: w.replicas ?? 1 },
  });
  const byConcurrency: Record<string, number> = {};
  try {
    for (const concurrency of [16, 64, 256]) {
      const mark = `${concurrency}-${Date.now()}`;
      const started = performance.now();
      await limited(targets, concurrency, ({ ns, w }) => patch(ns, w, asleep(w, mark)));
      byConcurrency[concurrency] = round(performance.now() - started);
      await limited(targets, 64, ({ ns, w }) => patch(ns, w, restored(w)));
      // Each try starts, as the sleeper's pass does, on a settled cluster (not one still starting
      // the pods the previous try's restore asked for).
      await settle();
    }
  } finally {
    close();
  }
  const [best, ms] = Object.entries(byConcurrency).sort((a, b) => a[1] - b[1])[0]!;
  return { ms, patches: targets.length, concurrency: Number(best), byConcurrency };
}

export interface PassSummary {
  ms: number;
  requests: number;
  lists: number;
  patches: number;
  /** 409 re-reads (a status update raced the patch). */
  rereads: number;
  /** Requests the API server pushed back (429) and that were retried after its Retry-After. */
  throttled: number;
  changed: number;
  heapMb: number;
}

async function timedPass(session: KubeSession, include: (name: string) => boolean, now: Date, concurrency?: number): Promise<PassSummary> {
  const verbs = { list: 0, patch: 0, get: 0 };
  const counter = new RequestCounter();
  const pass: SleeperPass = await reconcileAll(session, {
    now, include, counter, concurrency,
    hooks: { beforeRequest: (r: ApiRequest) => { if (r.verb in verbs) verbs[r.verb as keyof typeof verbs]++; } },
  });
  const problems = pass.environments.flatMap((e) => e.problems);
  if (problems.length > 0) throw new Error(`the pass reported problems: ${problems.slice(0, 3).join('; ')}`);
  return {
    ms: pass.durationMs, requests: pass.requests, lists: verbs.list, patches: verbs.patch, rereads: verbs.get, throttled: counter.throttled,
    changed: pass.environments.reduce((n, e) => n + e.changed, 0), heapMb: round(process.memoryUsage().heapUsed / 1024 / 1024),
  };
}

/**
 * One sleeper pass over the scale fixture (`environments` × `workloadsPerEnvironment`, office hours
 * in five zones): asleep on a Sunday (every workload patched: scaled to 0 or its 0 recorded), the
 * same instant again (lists only), then a Wednesday afternoon (every workload restored), which
 * leaves the fixture as it was for the other scenarios.
 */
export async function benchSleeperPass(session: KubeSession, options: { environments?: number; workloadsPerEnvironment?: number; log?: (m: string) => void } = {}): Promise<PassBenchResult> {
  const environments = options.environments ?? 300;
  const perEnvironment = options.workloadsPerEnvironment ?? 20;
  const log = options.log ?? ((): void => undefined);
  const fixture = await ensureScaleFixture(session.kc, environments, perEnvironment, log);
  const names = new Set(fixture.environments);
  const include = (name: string): boolean => names.has(name);
  // Sunday noon UTC is outside Mon-Fri 08:00-20:00 in Berlin, New York, Kolkata, Kathmandu and UTC;
  // Wednesday 13:30 UTC is inside it in all five.
  const sunday = new Date('2026-01-11T12:00:00Z');
  const wednesday = new Date('2026-01-14T13:30:00Z');
  // The sleeper meets a settled cluster at a scheduled transition, not one still busy with the
  // previous mass change: wait (untimed) for the controllers between passes, else status updates
  // race the patches and the pass is mostly 409 retries.
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const benchPods = async (): Promise<{ all: number; running: number }> => {
    const pods = (await core.listPodForAllNamespaces({ labelSelector: 'app' })).items.filter((p) => names.has(p.metadata?.namespace ?? ''));
    return { all: pods.length, running: pods.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).length };
  };
  // Settled also means the controllers have written the workloads' status: a status update after
  // the sleeper's list is a new resourceVersion, so its patch would meet a 409 and read again.
  const apps = session.kc.makeApiClient(k8s.AppsV1Api);
  const statusSettled = async (): Promise<boolean> => {
    const [deployments, statefulSets] = await Promise.all([apps.listDeploymentForAllNamespaces({ labelSelector: 'app' }), apps.listStatefulSetForAllNamespaces({ labelSelector: 'app' })]);
    return [...deployments.items, ...statefulSets.items].filter((w) => names.has(w.metadata?.namespace ?? '')).every((w) => {
      const want = w.spec?.replicas ?? 1;
      return (w.status?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0) && (w.status?.replicas ?? 0) === want && (w.status?.readyReplicas ?? 0) === want;
    });
  };
  const settle = async (done: (pods: { all: number; running: number }) => boolean): Promise<void> => {
    const deadline = Date.now() + 300_000;
    while (!(done(await benchPods()) && await statusSettled()) && Date.now() < deadline) await sleep(1000);
    await sleep(5000);
  };
  await settle((p) => p.running >= fixture.pods);
  log(`sleeper pass over ${environments} environments × ${perEnvironment} workloads…`);
  const sleepPass = await timedPass(session, include, sunday);
  log(`  sleep: ${sleepPass.ms} ms, ${sleepPass.requests} requests`);
  const steady = await timedPass(session, include, sunday);
  log(`  steady: ${steady.ms} ms, ${steady.requests} requests`);
  await settle((p) => p.all === 0);
  const wake = await timedPass(session, include, wednesday);
  log(`  wake: ${wake.ms} ms, ${wake.requests} requests`);
  await settle((p) => p.running >= fixture.pods);
  log('  bare patch limit…');
  const limit = await patchLimit(session, fixture.environments, perEnvironment, () => settle((p) => p.running >= fixture.pods));
  log(`  limit: ${limit.ms} ms at concurrency ${limit.concurrency} (${JSON.stringify(limit.byConcurrency)})`);
  return {
    environments, workloads: environments * perEnvironment, fixtureSeconds: round(fixture.createSeconds), sleep: sleepPass, steady, wake,
    limit, ratioToLimit: round(sleepPass.ms / limit.ms, 2),
  };
}

if (import.meta.main) {
  const [environments = '10', perEnvironment = '20', wakeWorkloadCount = '40'] = process.argv.slice(2);
  const session = loadKubeConfig();
  const log = (m: string): void => { process.stderr.write(`${m}\n`); };
  const wake = await benchWake(session, { workloads: Number(wakeWorkloadCount), runs: 7, log });
  process.stdout.write(`${JSON.stringify({ wake }, null, 2)}\n`);
  const pass = await benchSleeperPass(session, { environments: Number(environments), workloadsPerEnvironment: Number(perEnvironment), log });
  process.stdout.write(`${JSON.stringify({ pass }, null, 2)}\n`);
}
