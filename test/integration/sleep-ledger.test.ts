// The sleep ledger on the real local control plane, with a clock the test controls: scheduled and
// manual transitions give exact per-day figures, each with a Normal Event; a steady pass writes
// nothing; a sleeper or a manual sleep killed between the ledger and the scale patches converges
// without counting anything twice; Keep Awake records its cause with its marker. Berlin in
// January is UTC+1; 2026-01-12 is a Monday.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import type { WorkloadSpec } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { keepAwake, sleepEnvironment, wakeEnvironment } from '../../src/adapters/sleep.ts';
import { RequestCounter } from '../../src/adapters/sleep-api.ts';
import { ProblemEvents, reconcileAll } from '../../src/adapters/sleeper.ts';
import { ANNOTATION_SLEEP_LEDGER, parseLedger } from '../../src/core/sleep-ledger.ts';
import type { LedgerDay, SleepLedger } from '../../src/core/sleep-ledger.ts';
import { dayOfText } from '../../src/core/schedule.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `ledger-it-${run}`;
const selector = `t-env.dev/owner=${owner}`;
const created: string[] = [];
const WORKLOADS: WorkloadSpec[] = [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'StatefulSet', name: 'db', replicas: 1 }];
const H = 3600;

async function createEnv(suffix: string): Promise<string> {
  const name = `ledger-it-${run}-${suffix}`;
  created.push(name);
  await createEnvironmentFixture(kc, { name, owner, awakeHours: 'Mon-Fri 08:00-18:00', timezone: 'Europe/Berlin', workloads: WORKLOADS });
  return name;
}

async function ledgerOf(namespace: string): Promise<SleepLedger> {
  const read = parseLedger((await core.readNamespace({ name: namespace })).metadata?.annotations?.[ANNOTATION_SLEEP_LEDGER]);
  assert.equal(read.problem, undefined);
  assert.ok(read.ledger, 'a ledger is written');
  return read.ledger;
}

function dayOf(ledger: SleepLedger, text: string): LedgerDay | undefined {
  return ledger.days.get(dayOfText(text)!);
}

const figures = (asleep: [number, number, number], awake: [number, number, number], wakes: [number, number, number]): LedgerDay => ({
  asleep: { schedule: asleep[0], manual: asleep[1], dev: asleep[2] },
  awake: { schedule: awake[0], manual: awake[1], dev: awake[2] },
  wakes: { schedule: wakes[0], manual: wakes[1], dev: wakes[2] },
});

async function replicas(namespace: string): Promise<number> {
  const [d, s] = await Promise.all([apps.readNamespacedDeployment({ namespace, name: 'api' }), apps.readNamespacedStatefulSet({ namespace, name: 'db' })]);
  return (d.spec?.replicas ?? 0) + (s.spec?.replicas ?? 0);
}

class SimulatedCrash extends Error {}

after(async () => {
  await Promise.all(created.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('sleep ledger', () => {
  let env = '';
  before(async () => { env = await createEnv('week'); });

  it('a day of scheduled and manual transitions gives exact figures and one Event each; a steady pass writes nothing', async () => {
    const events = new ProblemEvents();
    const pass = (iso: string): ReturnType<typeof reconcileAll> => reconcileAll(admin, { selector, now: new Date(iso), problemEvents: events });
    await pass('2026-01-12T06:00:00Z'); // 07:00: asleep by schedule (the ledger starts here)
    assert.equal(await replicas(env), 0);
    await pass('2026-01-12T07:00:00Z'); // 08:00: woken by schedule
    assert.equal(await replicas(env), 3);
    await sleepEnvironment(admin, env, { now: new Date('2026-01-12T10:00:00Z'), actor: { user: 'alice', via: 'the CLI' } });
    const steady = await pass('2026-01-12T12:00:00Z');
    assert.equal(steady.requests, 6, 'the six lists only (baselines included): no namespace patch in a steady pass');
    await wakeEnvironment(admin, env, { now: new Date('2026-01-12T13:00:00Z'), forMs: 2 * H * 1000, minimumHours: 0, cause: 'dev', actor: { user: 'bob', via: 'Start Dev' } });
    await pass('2026-01-12T15:30:00Z'); // the Start Dev wake has ended; the schedule keeps it awake
    await pass('2026-01-12T17:00:00Z'); // 18:00: asleep by schedule
    await pass('2026-01-13T07:00:00Z'); // Tuesday 08:00: woken by schedule
    const ledger = await ledgerOf(env);
    assert.equal(ledger.state, 'awake');
    assert.equal(ledger.cause, 'schedule');
    assert.equal(new Date(ledger.since).toISOString(), '2026-01-13T07:00:00.000Z');
    // Monday 06:00Z-23:00Z (local midnight): asleep 06-07 and 17-23 by schedule, 10-13 by hand;
    // awake 07-10 and 15:30-17 by schedule, 13-15:30 by Start Dev (its wake lasted until the next pass).
    assert.deepEqual(dayOf(ledger, '2026-01-12'), figures([7 * H, 3 * H, 0], [4.5 * H, 0, 2.5 * H], [1, 0, 1]));
    assert.deepEqual(dayOf(ledger, '2026-01-13'), figures([8 * H, 0, 0], [0, 0, 0], [1, 0, 0]));
    assert.equal(ledger.days.size, 2);
    const messages = await eventually('the transition events', async () => {
      const list = await core.listNamespacedEvent({ namespace: env, fieldSelector: 'type=Normal,involvedObject.kind=Namespace' });
      const sorted = list.items.sort((a, b) => String(a.firstTimestamp?.toISOString()).localeCompare(String(b.firstTimestamp?.toISOString()))).map((e) => `${e.reason}: ${e.message}`);
      return sorted.length >= 6 && sorted;
    });
    assert.deepEqual(messages, [
      'Slept: Slept by schedule', 'Woken: Woken by schedule', 'Slept: Slept by alice from the CLI',
      'Woken: Woken by bob from Start Dev', 'Slept: Slept by schedule', 'Woken: Woken by schedule',
    ]);
  });

  it('a sleeper pass killed between the ledger and the scale patches converges without counting twice', async () => {
    const name = await createEnv('crash');
    const only = { selector, include: (n: string): boolean => n === name };
    await reconcileAll(admin, { ...only, now: new Date('2026-01-12T09:00:00Z') }); // awake by schedule
    await assert.rejects(reconcileAll(admin, {
      ...only, now: new Date('2026-01-12T17:00:00Z'),
      hooks: { afterRequest: (r) => { if (r.verb === 'patch' && r.resource === 'namespaces') throw new SimulatedCrash('killed'); } },
    }));
    assert.equal((await ledgerOf(name)).state, 'asleep', 'the ledger was written first');
    assert.equal(await replicas(name), 3, 'the workloads were not');
    const next = await reconcileAll(admin, { ...only, now: new Date('2026-01-12T17:01:00Z') });
    assert.equal(next.environments[0]?.action, 'sleep');
    assert.equal(await replicas(name), 0);
    assert.equal(next.requests, 6 + 1 + 2, 'lists, the re-read, two scale patches: the ledger already agreed');
    await reconcileAll(admin, { ...only, now: new Date('2026-01-13T07:00:00Z') });
    const ledger = await ledgerOf(name);
    // Monday 09-17Z awake, 17-23Z asleep; Tuesday 00-08 local asleep: every second once.
    assert.deepEqual(dayOf(ledger, '2026-01-12'), figures([6 * H, 0, 0], [8 * H, 0, 0], [0, 0, 0]));
    assert.deepEqual(dayOf(ledger, '2026-01-13'), figures([8 * H, 0, 0], [0, 0, 0], [1, 0, 0]));
  });

  it('a manual sleep killed after its namespace patch, run again later, counts the sleep from the first attempt once', async () => {
    const name = await createEnv('manual');
    await reconcileAll(admin, { selector, include: (n) => n === name, now: new Date('2026-01-12T09:00:00Z') });
    await assert.rejects(sleepEnvironment(admin, name, {
      now: new Date('2026-01-12T10:00:00Z'),
      hooks: { afterRequest: (r) => { if (r.verb === 'patch' && r.resource === 'namespaces') throw new SimulatedCrash('killed'); } },
    }));
    const again = await sleepEnvironment(admin, name, { now: new Date('2026-01-12T10:30:00Z') });
    assert.deepEqual(again.problems, []);
    assert.equal(await replicas(name), 0);
    const ledger = await ledgerOf(name);
    assert.equal(ledger.state, 'asleep');
    assert.equal(new Date(ledger.since).toISOString(), '2026-01-12T10:00:00.000Z', 'the rerun agreed and wrote no new record');
    assert.deepEqual(dayOf(ledger, '2026-01-12'), figures([0, 0, 0], [1 * H, 0, 0], [0, 0, 0]));
  });

  it('Keep Awake records "awake by hand" with its marker; on an asleep environment it leaves the wake to the sleeper', async () => {
    const name = await createEnv('keep');
    const only = { selector, include: (n: string): boolean => n === name };
    await reconcileAll(admin, { ...only, now: new Date('2026-01-12T09:00:00Z') }); // 10:00 Berlin: awake by schedule
    const counter = new RequestCounter();
    await keepAwake(admin, name, new Date('2026-01-12T19:00:00Z'), { now: new Date('2026-01-12T16:30:00Z'), counter });
    assert.equal(counter.count, 2, 'one read, one namespace patch carrying the marker and the ledger');
    let ledger = await ledgerOf(name);
    assert.deepEqual([ledger.state, ledger.cause, new Date(ledger.since).toISOString()], ['awake', 'manual', '2026-01-12T16:30:00.000Z']);
    const steady = await reconcileAll(admin, { ...only, now: new Date('2026-01-12T17:30:00Z') }); // 18:30: kept awake past the schedule
    assert.equal(steady.requests, 6, 'the sleeper finds the ledger already right: the six lists only');
    assert.equal(await replicas(name), 3);
    await reconcileAll(admin, { ...only, now: new Date('2026-01-12T19:00:00Z') }); // the keep-awake ends: asleep by schedule
    assert.equal(await replicas(name), 0);
    // Asleep: the marker alone; the sleeper's next pass wakes it and records that wake.
    await keepAwake(admin, name, new Date('2026-01-12T21:00:00Z'), { now: new Date('2026-01-12T20:00:00Z') });
    ledger = await ledgerOf(name);
    assert.deepEqual([ledger.state, ledger.cause, new Date(ledger.since).toISOString()], ['asleep', 'schedule', '2026-01-12T19:00:00.000Z']);
    await reconcileAll(admin, { ...only, now: new Date('2026-01-12T20:05:00Z') });
    assert.equal(await replicas(name), 3);
    ledger = await ledgerOf(name);
    assert.deepEqual([ledger.state, ledger.cause], ['awake', 'manual']);
    // 09:00-16:30 awake by schedule, 16:30-19:00 by hand, 19:00-20:05 asleep by schedule, one manual wake.
    assert.deepEqual(dayOf(ledger, '2026-01-12'), figures([65 * 60, 0, 0], [7.5 * H, 2.5 * H, 0], [0, 1, 0]));
  });
});

describe('pre-warm and holidays in the sleeper', () => {
  it('wakes pre-warm minutes early, sleeps through the company\'s and the namespace\'s holidays, and warns about an unreadable list', async () => {
    const name = `ledger-it-${run}-policy`;
    created.push(name);
    await createEnvironmentFixture(kc, {
      name, owner, awakeHours: 'Mon-Fri 08:00-18:00', timezone: 'Europe/Berlin', workloads: WORKLOADS,
      annotations: { 't-env.dev/prewarm-minutes': '30', 't-env.dev/holidays': '2026-12-28' },
    });
    const cmName = `holidays-${run}`;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: cmName }, data: { holidays: '2026-12-24..2026-12-25' } } });
    try {
      const only = { selector, include: (n: string): boolean => n === name, holidaysConfigMap: { namespace: 'default', name: cmName } };
      const pass = async (iso: string): Promise<number> => { await reconcileAll(admin, { ...only, now: new Date(iso) }); return replicas(name); };
      assert.equal(await pass('2026-12-23T06:20:00Z'), 0, 'Wednesday 07:20: before the pre-warm');
      assert.equal(await pass('2026-12-23T06:31:00Z'), 3, 'Wednesday 07:31: pre-warmed for 08:00');
      assert.equal(await pass('2026-12-24T09:00:00Z'), 0, 'Thursday: a company holiday');
      assert.equal(await pass('2026-12-28T09:00:00Z'), 0, 'Monday: the namespace\'s own holiday');
      assert.equal(await pass('2026-12-29T06:31:00Z'), 3, 'Tuesday: pre-warmed again');
      await core.replaceNamespacedConfigMap({ namespace: 'default', name: cmName, body: { metadata: { name: cmName }, data: { holidays: '24.12.2026' } } });
      const warnings: string[] = [];
      await reconcileAll(admin, { ...only, now: new Date('2026-12-29T09:00:00Z'), onEvent: (e) => { if (e.type === 'warning') warnings.push(e.message); } });
      assert.deepEqual(warnings, ['company holidays not applied this pass: ConfigMap default/' + cmName + ': Invalid holiday "24.12.2026".']);
    } finally {
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: cmName }).catch(() => undefined);
    }
  });
});
