// Sleep, wake and the sleeper against the real local control plane: counts recorded in the same
// patch, idempotence, HPAs, a process killed between any two requests, concurrent sleep and wake,
// 409 retries, corrupt annotations and identities that may patch only some environments.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import type { WorkloadSpec } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { keepAwake, sleepEnvironment, wakeEnvironment } from '../../src/adapters/sleep.ts';
import { waitUntilReady } from '../../src/adapters/wait-ready.ts';
import type { ApiRequest } from '../../src/adapters/sleep-api.ts';
import { ProblemEvents, reconcileAll, runSleeper } from '../../src/adapters/sleeper.ts';
import type { EnvironmentResult, SleeperEvent } from '../../src/adapters/sleeper.ts';
import { ASLEEP_INDEFINITELY } from '../../src/core/sleep-plan.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

const BEFORE = 't-env.dev/replicas-before-sleep';
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `sleep-it-${run}`;
const selector = `t-env.dev/owner=${owner}`;
const created: string[] = [];

/** The workloads sleep acts on, with their counts before sleep (CronJob: its `suspend`). */
const SLEEPABLE: WorkloadSpec[] = [
  { kind: 'Deployment', name: 'api', replicas: 2 },
  { kind: 'Deployment', name: 'web', replicas: 1 },
  { kind: 'StatefulSet', name: 'db', replicas: 1 },
  { kind: 'CronJob', name: 'report' },
  { kind: 'Deployment', name: 'worker', replicas: 3, hpa: { min: 2, max: 5 } },
];
const ORIGINAL: Record<string, string> = { 'Deployment/api': '2', 'Deployment/web': '1', 'StatefulSet/db': '1', 'CronJob/report': 'false', 'Deployment/worker': '3' };
const EXEMPT: WorkloadSpec[] = [{ kind: 'Deployment', name: 'keep', replicas: 1, annotations: { 't-env.dev/sleep': 'never' } }];

interface Observed { value: string; recorded: string | undefined }

async function createEnv(suffix: string, options: { owner?: string; awakeHours?: string; timezone?: string; annotations?: Record<string, string>; workloads?: WorkloadSpec[] } = {}): Promise<string> {
  const name = `sleep-it-${run}-${suffix}`;
  created.push(name);
  await createEnvironmentFixture(kc, {
    name, owner: options.owner ?? owner, awakeHours: options.awakeHours ?? 'always', timezone: options.timezone ?? 'UTC',
    ...(options.annotations ? { annotations: options.annotations } : {}),
    workloads: options.workloads ?? [...SLEEPABLE, ...EXEMPT],
  });
  return name;
}

/** Every Deployment, StatefulSet and CronJob of a namespace: current value and recorded count. */
async function observe(namespace: string): Promise<Map<string, Observed>> {
  const [deployments, statefulSets, cronJobs] = await Promise.all([
    apps.listNamespacedDeployment({ namespace }), apps.listNamespacedStatefulSet({ namespace }), batch.listNamespacedCronJob({ namespace }),
  ]);
  const result = new Map<string, Observed>();
  for (const [kind, items] of [['Deployment', deployments.items], ['StatefulSet', statefulSets.items]] as const) {
    for (const w of items) result.set(`${kind}/${w.metadata!.name!}`, { value: String(w.spec?.replicas), recorded: w.metadata?.annotations?.[BEFORE] });
  }
  for (const c of cronJobs.items) result.set(`CronJob/${c.metadata!.name!}`, { value: String(c.spec?.suspend === true), recorded: c.metadata?.annotations?.[BEFORE] });
  return result;
}

const ASLEEP_VALUE = (label: string): string => (label.startsWith('CronJob/') ? 'true' : '0');

/** Nothing lost: each workload is awake with its original count, or asleep with it recorded. */
async function assertConsistent(namespace: string, originals = ORIGINAL): Promise<'asleep' | 'awake' | 'mixed'> {
  const seen = await observe(namespace);
  let asleep = 0;
  for (const [label, original] of Object.entries(originals)) {
    const w = seen.get(label);
    assert.ok(w, `${label} exists`);
    if (w.recorded === undefined) {
      assert.equal(w.value, original, `${label} is awake with its original count`);
    } else {
      assert.equal(w.recorded, original, `${label} has its original count recorded`);
      assert.equal(w.value, ASLEEP_VALUE(label), `${label} is asleep`);
      asleep++;
    }
  }
  assert.equal(seen.get('Deployment/keep')?.value ?? '1', '1', 'the sleep=never workload is never touched');
  assert.equal(seen.get('Deployment/keep')?.recorded, undefined);
  const total = Object.keys(originals).length;
  return asleep === total ? 'asleep' : asleep === 0 ? 'awake' : 'mixed';
}

async function annotationsOf(namespace: string): Promise<Record<string, string>> {
  return (await core.readNamespace({ name: namespace })).metadata?.annotations ?? {};
}

class SimulatedCrash extends Error {
  constructor(at: number) { super(`simulated crash at request ${at}`); }
}

/** Hooks that "kill the process" at request `k` (before it is sent, or after its answer). */
function crashAt(k: number, when: 'before' | 'after'): { hooks: { beforeRequest: (r: ApiRequest) => void; afterRequest: (r: ApiRequest) => void }; requests: () => number } {
  let n = 0;
  let crashed = false;
  const tick = (phase: 'before' | 'after'): void => {
    if (crashed) throw new SimulatedCrash(k); // a dead process sends nothing more
    if (phase === 'before') n++;
    if (phase === when && n === k) { crashed = true; throw new SimulatedCrash(k); }
  };
  return { hooks: { beforeRequest: () => tick('before'), afterRequest: () => tick('after') }, requests: () => n };
}

after(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('sleep and wake of one environment', () => {
  let env = '';
  before(async () => {
    env = await createEnv('one');
    // A Deployment controlled by another object (here a ConfigMap, which exists, so the garbage
    // collector keeps it): sleep must leave it alone.
    const cm = await core.createNamespacedConfigMap({ namespace: env, body: { metadata: { name: 'operator' } } });
    await apps.createNamespacedDeployment({
      namespace: env,
      body: {
        metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'operator', uid: cm.metadata!.uid!, controller: true }] },
        spec: { replicas: 1, selector: { matchLabels: { app: 'owned' } }, template: { metadata: { labels: { app: 'owned' } }, spec: { containers: [{ name: 'owned', image: 'registry.example/owned:1' }] } } },
      },
    });
    await waitUntilReady(admin, env, { timeoutMs: 60_000 });
  });

  it('sleeps: counts recorded in the scaling patch, CronJobs suspended, exempt workloads skipped, pods gone; again: no change', async () => {
    const progress: string[] = [];
    const result = await sleepEnvironment(admin, env, { onProgress: (text) => progress.push(text) });
    assert.equal(result.changed, 5);
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...result.skipped].sort(), ['Deployment/keep is annotated t-env.dev/sleep=never', 'Deployment/owned is managed by ConfigMap/operator']);
    assert.equal(result.asleepUntil, ASLEEP_INDEFINITELY, 'an always-awake schedule never wakes it on its own');
    assert.equal(await assertConsistent(env), 'asleep');
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'owned' })).spec?.replicas, 1);
    const annotations = await annotationsOf(env);
    assert.equal(annotations['t-env.dev/asleep-until'], ASLEEP_INDEFINITELY);
    assert.equal(annotations['t-env.dev/awake-until'], undefined);
    assert.ok(progress.some((p) => p.includes('5/7 workloads') || p.includes('7/7 workloads')), progress.join('\n'));
    // One read, three lists, the namespace marker and five workload patches (409 re-reads aside).
    assert.ok(result.requests >= 10, `requests: ${result.requests}`);
    await eventually('the sleeping workloads\' pods to go', async () => {
      const pods = await core.listNamespacedPod({ namespace: env });
      const apps_ = new Set(pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.labels?.['app']));
      return !['api', 'web', 'db', 'worker'].some((a) => apps_.has(a)) && apps_.has('keep');
    });
    const again = await sleepEnvironment(admin, env);
    assert.equal(again.changed, 0);
    assert.equal(again.requests, 6, 'idempotent: read, 3 lists, the ScaledObjects list, the marker; no workload patch');
  });

  it('an HPA does not scale a sleeping target back up (ScalingDisabled), and takes over again after wake', async () => {
    // The HPA controller syncs every 15 s; wait until it has looked at the sleeping target.
    const hpa = await eventually('the HPA to notice the target at 0', async () => {
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: env, name: 'worker' });
      const active = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
      return active?.reason === 'ScalingDisabled' && h;
    }, 60_000);
    assert.equal(hpa.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status, 'False');
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'worker' })).spec?.replicas, 0, 'still asleep');
  });

  it('wakes: every count restored in parallel, records and the sleep marker removed, awake-until set; pods ready; again: no change', async () => {
    const now = new Date();
    const result = await wakeEnvironment(admin, env, { minimumHours: 2, now });
    assert.equal(result.changed, 5);
    assert.deepEqual(result.problems, []);
    assert.equal(result.awakeUntil, new Date(now.getTime() + 2 * 3_600_000).toISOString());
    assert.equal(await assertConsistent(env), 'awake');
    const annotations = await annotationsOf(env);
    assert.equal(annotations['t-env.dev/awake-until'], result.awakeUntil);
    assert.equal(annotations['t-env.dev/asleep-until'], undefined);
    const progress: string[] = [];
    await waitUntilReady(admin, env, { timeoutMs: 60_000, onProgress: (text) => progress.push(text) });
    assert.match(progress.at(-1) ?? '', /6\/6 workloads ready$/, 'Deployments and StatefulSets, CronJobs aside');
    const again = await wakeEnvironment(admin, env, { minimumHours: 2 });
    assert.equal(again.changed, 0);
  });

  it('after wake the HPA takes over from the restored count (without metrics it keeps it within min..max)', async () => {
    await eventually('the HPA to evaluate the woken target', async () => {
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: env, name: 'worker' });
      return h.status?.conditions?.find((c) => c.type === 'ScalingActive')?.reason !== 'ScalingDisabled';
    }, 60_000);
    assert.equal((await apps.readNamespacedDeployment({ namespace: env, name: 'worker' })).spec?.replicas, 3);
  });

  it('keeps what a person changed while the environment slept', async () => {
    await sleepEnvironment(admin, env);
    await apps.patchNamespacedDeployment({ namespace: env, name: 'api', body: { spec: { replicas: 5 } } }, mergePatch);
    await batch.patchNamespacedCronJob({ namespace: env, name: 'report', body: { spec: { suspend: false } } }, mergePatch);
    const result = await wakeEnvironment(admin, env, { minimumHours: 1 });
    assert.equal(result.changed, 5);
    const seen = await observe(env);
    assert.deepEqual(seen.get('Deployment/api'), { value: '5', recorded: undefined });
    assert.deepEqual(seen.get('CronJob/report'), { value: 'false', recorded: undefined });
    assert.deepEqual(seen.get('Deployment/web'), { value: '1', recorded: undefined });
    await apps.patchNamespacedDeployment({ namespace: env, name: 'api', body: { spec: { replicas: 2 } } }, mergePatch);
    assert.equal(await assertConsistent(env), 'awake');
  });

  it('a manual sleep records the count a person set on a sleeping workload', async () => {
    await sleepEnvironment(admin, env);
    await apps.patchNamespacedDeployment({ namespace: env, name: 'web', body: { spec: { replicas: 4 } } }, mergePatch);
    const result = await sleepEnvironment(admin, env);
    assert.equal(result.changed, 1);
    assert.deepEqual((await observe(env)).get('Deployment/web'), { value: '0', recorded: '4' });
    await wakeEnvironment(admin, env, { minimumHours: 1 });
    await apps.patchNamespacedDeployment({ namespace: env, name: 'web', body: { spec: { replicas: 1 } } }, mergePatch);
    assert.equal(await assertConsistent(env), 'awake');
  });

  it('a concurrent change between read and patch is a 409, retried on a fresh read: the newer count is recorded', async () => {
    let interfered = false;
    const requests: ApiRequest[] = [];
    const result = await sleepEnvironment(admin, env, {
      hooks: {
        beforeRequest: async (r) => {
          requests.push(r);
          if (r.verb === 'patch' && r.name === 'api' && !interfered) {
            interfered = true;
            await apps.patchNamespacedDeployment({ namespace: env, name: 'api', body: { spec: { replicas: 4 } } }, mergePatch);
          }
        },
      },
    });
    assert.deepEqual(result.problems, []);
    assert.ok(requests.some((r) => r.verb === 'get' && r.name === 'api'), 'the stale patch was refused and api read again');
    assert.deepEqual((await observe(env)).get('Deployment/api'), { value: '0', recorded: '4' }, 'the newer count, not the listed one');
    await wakeEnvironment(admin, env, { minimumHours: 1 });
    await apps.patchNamespacedDeployment({ namespace: env, name: 'api', body: { spec: { replicas: 2 } } }, mergePatch);
  });

  it('killed between any two requests of a sleep or a wake: nothing lost, and running it again converges', async () => {
    for (const op of ['sleep', 'wake'] as const) {
      for (const when of ['before', 'after'] as const) {
        for (let k = 1; ; k++) {
          // Start from the opposite state.
          if (op === 'sleep') await wakeEnvironment(admin, env, { minimumHours: 1 }); else await sleepEnvironment(admin, env);
          const crash = crashAt(k, when);
          const attempt = op === 'sleep'
            ? sleepEnvironment(admin, env, { hooks: crash.hooks })
            : wakeEnvironment(admin, env, { minimumHours: 1, hooks: crash.hooks });
          const finished = await attempt.then(() => true, (error: unknown) => {
            assert.ok(error instanceof Error && (error instanceof SimulatedCrash || error.cause instanceof SimulatedCrash), `crash surfaced: ${String(error)}`);
            return false;
          });
          await assertConsistent(env);
          const rerun = op === 'sleep' ? await sleepEnvironment(admin, env) : await wakeEnvironment(admin, env, { minimumHours: 1 });
          assert.deepEqual(rerun.problems, []);
          assert.equal(await assertConsistent(env), op === 'sleep' ? 'asleep' : 'awake', `${op} crashed ${when} request ${k} converged`);
          if (finished) break; // k went past the last request
        }
      }
    }
  });

  it('an interrupted manual sleep is finished by the sleeper, which follows the marker', async () => {
    await wakeEnvironment(admin, env, { minimumHours: 1 });
    const controller = new AbortController();
    let patches = 0;
    await assert.rejects(sleepEnvironment(admin, env, {
      signal: controller.signal, concurrency: 1,
      hooks: { afterRequest: (r) => { if (r.verb === 'patch' && r.resource !== 'namespaces' && ++patches === 2) controller.abort(); } },
    }), (error: unknown) => error instanceof Error && (error as { kind?: string }).kind === 'cancelled');
    assert.equal(await assertConsistent(env), 'mixed');
    const pass = await reconcileAll(admin, { selector });
    const result = pass.environments.find((e) => e.name === env);
    assert.equal(result?.action, 'sleep');
    assert.equal(result?.changed, 3);
    assert.equal(await assertConsistent(env), 'asleep');
  });

  it('concurrent wake and sleep leave every workload consistent, and the sleeper then converges on the winner', async () => {
    for (let round = 0; round < 6; round++) {
      const outcomes = await Promise.allSettled(round % 2 === 0
        ? [sleepEnvironment(admin, env), wakeEnvironment(admin, env, { minimumHours: 1 })]
        : [wakeEnvironment(admin, env, { minimumHours: 1 }), sleepEnvironment(admin, env)]);
      for (const o of outcomes) assert.equal(o.status, 'fulfilled', o.status === 'rejected' ? String(o.reason) : '');
      await assertConsistent(env);
      await reconcileAll(admin, { selector });
      const annotations = await annotationsOf(env);
      const expected = annotations['t-env.dev/awake-until'] ? 'awake' : 'asleep';
      assert.equal(await assertConsistent(env), expected, `round ${round}: converged on the namespace marker`);
    }
  });

  it('keepAwake sets awake-until and ends a manual sleep; it refuses a past instant', async () => {
    await sleepEnvironment(admin, env);
    const until = new Date(Date.now() + 3_600_000);
    assert.deepEqual(await keepAwake(admin, env, until), { awakeUntil: until.toISOString() });
    const annotations = await annotationsOf(env);
    assert.equal(annotations['t-env.dev/awake-until'], until.toISOString());
    assert.equal(annotations['t-env.dev/asleep-until'], undefined);
    // The sleeper wakes it at its next pass.
    const pass = await reconcileAll(admin, { selector });
    assert.equal(pass.environments.find((e) => e.name === env)?.action, 'wake');
    assert.equal(await assertConsistent(env), 'awake');
    await assert.rejects(keepAwake(admin, env, new Date(Date.now() - 1000)), { kind: 'invalid-input' });
  });

  it('reports corrupt workload annotations, never guesses, and still sleeps the rest', async () => {
    await apps.patchNamespacedDeployment({ namespace: env, name: 'web', body: { metadata: { annotations: { [BEFORE]: 'three' } } } }, mergePatch);
    try {
      const result = await sleepEnvironment(admin, env);
      assert.deepEqual(result.problems, [`Deployment/web: ${BEFORE} is "three", not a replica count; left alone`]);
      assert.equal(result.changed, 4);
      assert.deepEqual((await observe(env)).get('Deployment/web'), { value: '1', recorded: 'three' });
      const woken = await wakeEnvironment(admin, env, { minimumHours: 1 });
      assert.equal(woken.problems.length, 1);
    } finally {
      await apps.patchNamespacedDeployment({ namespace: env, name: 'web', body: { metadata: { annotations: { [BEFORE]: null } } } }, mergePatch);
    }
    assert.equal(await assertConsistent(env), 'awake');
  });

  it('refuses namespaces that are not environments, and missing ones, before changing anything', async () => {
    const plain = `sleep-it-${run}-plain`;
    created.push(plain);
    await core.createNamespace({ body: { metadata: { name: plain } } });
    await apps.createNamespacedDeployment({
      namespace: plain,
      body: { metadata: { name: 'x' }, spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x' }] } } } },
    });
    await assert.rejects(sleepEnvironment(admin, plain), { kind: 'not-environment' });
    assert.equal((await apps.readNamespacedDeployment({ namespace: plain, name: 'x' })).spec?.replicas, 1);
    await assert.rejects(wakeEnvironment(admin, `sleep-it-${run}-missing`, { minimumHours: 1 }), { kind: 'not-found' });
    await assert.rejects(wakeEnvironment(admin, env, { minimumHours: -1 }), { kind: 'invalid-input' });
  });
});

describe('waiting for a woken environment', () => {
  it('times out naming the workloads that never get ready, and stops on abort', async () => {
    const env = await createEnv('notready', { workloads: [{ kind: 'Deployment', name: 'ok', replicas: 1 }, { kind: 'Deployment', name: 'stuck', replicas: 1, behaviour: 'not-ready' }] });
    const progress: string[] = [];
    await assert.rejects(waitUntilReady(admin, env, { timeoutMs: 4000, onProgress: (t) => progress.push(t) }), (error: unknown) => {
      assert.equal((error as { kind?: string }).kind, 'timeout');
      assert.match((error as Error).message, /was not ready after 4 s: Deployment\/stuck \(0\/1 ready\)/);
      return true;
    });
    assert.ok(progress.some((p) => /1\/2 workloads ready; waiting for Deployment\/stuck/.test(p)), progress.join('\n'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(waitUntilReady(admin, env, { signal: controller.signal }), { kind: 'cancelled' });
  });
});

describe('the sleeper', () => {
  const selector = `t-env.dev/owner=${owner}-s`;
  // Sunday 2026-01-11 12:00 UTC: an office schedule is asleep; Monday 09:00 it is awake.
  const sunday = new Date('2026-01-11T12:00:00Z');
  const monday = new Date('2026-01-12T09:00:00Z');
  const office = 'Mon-Fri 08:00-20:00';
  const envs: Record<string, string> = {};

  before(async () => {
    const small: WorkloadSpec[] = [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'CronJob', name: 'report' }, { kind: 'StatefulSet', name: 'db', replicas: 1 }];
    const specs: [string, Parameters<typeof createEnv>[1]][] = [
      ['office', { awakeHours: office, workloads: small }],
      ['always', { awakeHours: 'always', workloads: small }],
      ['badzone', { awakeHours: office, timezone: 'Mars/Olympus', workloads: small }],
      ['badcount', { awakeHours: office, workloads: [...small, { kind: 'Deployment', name: 'odd', replicas: 0, annotations: { [BEFORE]: 'lots' } }] }],
      ['woken', { awakeHours: office, annotations: { 't-env.dev/awake-until': '2026-01-11T18:00:00Z' }, workloads: small }],
      ['expired', { awakeHours: 'always', annotations: { 't-env.dev/awake-until': '2026-01-10T18:00:00Z' }, workloads: small }],
    ];
    await Promise.all(specs.map(async ([suffix, options]) => { envs[suffix] = await createEnv(`s-${suffix}`, { ...options, owner: `${owner}-s` }); }));
    await Promise.all(Object.values(envs).map((name) => waitUntilReady(admin, name, { timeoutMs: 60_000 })));
  });

  const byName = (results: readonly EnvironmentResult[], suffix: string): EnvironmentResult | undefined => results.find((r) => r.name === envs[suffix]);

  it('one pass: one list per kind and one patch per workload that must change; corrupt annotations reported, others unaffected', async () => {
    const events: SleeperEvent[] = [];
    const pass = await reconcileAll(admin, { selector, now: sunday, onEvent: (e) => events.push(e) });
    assert.deepEqual(pass.environments.map((e) => e.name), Object.values(envs).sort());
    const office_ = byName(pass.environments, 'office');
    assert.deepEqual({ ...office_, name: '' }, { name: '', action: 'sleep', desired: 'asleep', changed: 3, skipped: [], problems: [] });
    assert.deepEqual(byName(pass.environments, 'always'), { name: envs['always'], action: 'none', desired: 'awake', changed: 0, skipped: [], problems: [] });
    assert.equal(byName(pass.environments, 'badzone')?.desired, undefined);
    assert.match(byName(pass.environments, 'badzone')?.problems.join() ?? '', /Unknown time zone "Mars\/Olympus"/);
    assert.deepEqual(byName(pass.environments, 'badcount')?.problems, [`Deployment/odd: ${BEFORE} is "lots", not a replica count; left alone`]);
    assert.equal(byName(pass.environments, 'badcount')?.changed, 3, 'the rest of the environment still sleeps');
    assert.equal(byName(pass.environments, 'woken')?.action, 'none', 'awake-until in the future keeps it awake');
    assert.equal(byName(pass.environments, 'expired')?.changed, 0);
    // 6 lists (environments, baselines, 3 workload kinds, KEDA ScaledObjects) + 1 list re-reading the
    // namespaces about to change (office, badcount: environments, no baseline) + 6 workload patches
    // + 5 namespace patches: the first sleep-ledger record of every environment with a verdict
    // (badzone has none), `expired`'s also removing its expired awake-until.
    assert.equal(pass.requests, 6 + 1 + 6 + 5);
    assert.equal((await annotationsOf(envs['expired']!))['t-env.dev/awake-until'], undefined);
    for (const suffix of ['always', 'badzone', 'woken', 'expired']) {
      assert.equal(await assertConsistent(envs[suffix]!, { 'Deployment/api': '2', 'CronJob/report': 'false', 'StatefulSet/db': '1' }), 'awake', suffix);
    }
    assert.equal(await assertConsistent(envs['office']!, { 'Deployment/api': '2', 'CronJob/report': 'false', 'StatefulSet/db': '1' }), 'asleep');
    assert.ok(events.some((e) => e.type === 'environment' && e.result.name === envs['badzone']));
    // Level-triggered and idempotent: the same instant again needs only the lists.
    const again = await reconcileAll(admin, { selector, now: sunday });
    assert.equal(again.requests, 6);
    assert.ok(again.environments.every((e) => e.changed === 0));
  });

  it('a late tick catches up: a pass long after the scheduled wake wakes; a workload woken by hand is left alone by the scheduled sleep', async () => {
    const office_ = envs['office']!;
    await apps.patchNamespacedDeployment({ namespace: office_, name: 'api', body: { spec: { replicas: 1 } } }, mergePatch);
    const stillSunday = await reconcileAll(admin, { selector, now: new Date(sunday.getTime() + 3_600_000) });
    const result = byName(stillSunday.environments, 'office');
    assert.equal(result?.changed, 0);
    assert.deepEqual(result?.skipped, ['Deployment/api was woken by hand while asleep (replicas 1); left as is']);
    const pass = await reconcileAll(admin, { selector, now: monday });
    assert.equal(byName(pass.environments, 'office')?.action, 'wake');
    assert.equal(byName(pass.environments, 'badcount')?.action, 'wake');
    const seen = await observe(office_);
    assert.deepEqual(seen.get('Deployment/api'), { value: '1', recorded: undefined }, 'kept what the person set');
    assert.deepEqual(seen.get('StatefulSet/db'), { value: '1', recorded: undefined });
    await apps.patchNamespacedDeployment({ namespace: office_, name: 'api', body: { spec: { replicas: 2 } } }, mergePatch);
  });

  it('reports problems as a Warning Event on the namespace, once per distinct problem', async () => {
    const problemEvents = new ProblemEvents();
    await reconcileAll(admin, { selector, now: monday, problemEvents });
    await reconcileAll(admin, { selector, now: monday, problemEvents });
    const list = await core.listNamespacedEvent({ namespace: envs['badzone']!, fieldSelector: 'reason=SleepScheduleProblem' });
    assert.equal(list.items.length, 1);
    assert.match(list.items[0]?.message ?? '', /Unknown time zone "Mars\/Olympus"/);
    assert.equal(list.items[0]?.involvedObject.kind, 'Namespace');
  });

  it('runSleeper: once returns the pass; looping stops on abort', async () => {
    const once = await runSleeper(admin, { intervalMs: 60_000, once: true, selector, clock: () => monday, events: false });
    assert.equal(once?.environments.length, Object.keys(envs).length);
    const controller = new AbortController();
    let passes = 0;
    const loop = runSleeper(admin, {
      intervalMs: 50, selector, clock: () => monday, events: false, signal: controller.signal,
      onEvent: (e) => { if (e.type === 'pass' && ++passes === 3) controller.abort(); },
    });
    assert.ok(await loop);
    assert.equal(passes, 3);
  });

  it('a 403 on one environment does not stop the others (patch refused; list refused: per-namespace fallback)', async () => {
    const allowed = envs['office']!;
    const user = `sleep-it-${run}`;
    // Both identities may list environments; A may list workloads cluster-wide but patch only in
    // `allowed`; B may neither list workloads cluster-wide nor touch `denied`.
    const clusterRole = `sleep-it-${run}-list`;
    await rbac.createClusterRole({ body: { metadata: { name: clusterRole }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'patch'] }] } });
    await rbac.createClusterRole({ body: { metadata: { name: `${clusterRole}-workloads` }, rules: [
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list'] }, { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list'] },
      { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['list'] },
    ] } });
    await rbac.createClusterRole({ body: { metadata: { name: `${clusterRole}-patch` }, rules: [
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'patch'] }, { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'patch'] },
    ] } });
    const subjectA = { kind: 'User', name: `${user}-a`, apiGroup: 'rbac.authorization.k8s.io' };
    const subjectB = { kind: 'User', name: `${user}-b`, apiGroup: 'rbac.authorization.k8s.io' };
    const roleRef = (name: string): k8s.V1RoleRef => ({ kind: 'ClusterRole', name, apiGroup: 'rbac.authorization.k8s.io' });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: clusterRole }, roleRef: roleRef(clusterRole), subjects: [subjectA, subjectB] } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: `${clusterRole}-workloads` }, roleRef: roleRef(`${clusterRole}-workloads`), subjects: [subjectA] } });
    await rbac.createNamespacedRoleBinding({ namespace: allowed, body: { metadata: { name: 'sleeper' }, roleRef: roleRef(`${clusterRole}-patch`), subjects: [subjectA, subjectB] } });
    try {
      for (const who of ['a', 'b'] as const) {
        const session = loadKubeConfig({ kubeconfig: cluster.userKubeconfig(`${user}-${who}`) });
        const warnings: string[] = [];
        const pass = await eventually(`user ${who}'s pass`, async () => {
          const p = await reconcileAll(session, { selector, now: new Date('2026-01-17T12:00:00Z'), onEvent: (e) => { if (e.type === 'warning') warnings.push(e.message); } });
          return byName(p.environments, 'office')?.changed === 3 && p; // RBAC caches need a moment
        });
        assert.equal(byName(pass.environments, 'office')?.action, 'sleep');
        // Saturday: `badcount` and `woken` should sleep too, but this identity may not touch them.
        for (const suffix of ['badcount', 'woken']) {
          const result = byName(pass.environments, suffix);
          assert.equal(result?.changed, 0);
          assert.match(result?.problems.join('\n') ?? '', who === 'a'
            ? /Access denied: you may not patch (deployments|statefulsets|cronjobs) in namespace/
            : /Access denied: you may not list (deployments|statefulsets|cronjobs) in namespace/);
        }
        if (who === 'a') assert.deepEqual(warnings, []);
        else assert.match(warnings.join('\n'), /may not list deployments, statefulsets, cronjobs in all namespaces/);
        await reconcileAll(admin, { selector, now: monday });
      }
    } finally {
      await rbac.deleteClusterRoleBinding({ name: clusterRole }).catch(() => undefined);
      await rbac.deleteClusterRoleBinding({ name: `${clusterRole}-workloads` }).catch(() => undefined);
      for (const name of [clusterRole, `${clusterRole}-workloads`, `${clusterRole}-patch`]) await rbac.deleteClusterRole({ name }).catch(() => undefined);
    }
  });
});
