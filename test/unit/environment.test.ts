// The environment model: states derived from Kubernetes objects, pod ownership, name checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANNOTATION_REPLICAS_BEFORE_SLEEP, checkEnvironmentName, cronJobInfo, developerOwner, environmentInfo, mineFirst, ownerLabel, podInfo, podOwner, recentWarnings, scalableInfo, warningInfo,
} from '../../src/core/environment.ts';
import type { PodLike } from '../../src/core/environment.ts';

const runningPod = (name: string, owner: { kind: string; name: string }, hash?: string): PodLike => ({
  metadata: { name, labels: hash ? { 'pod-template-hash': hash } : {}, ownerReferences: [{ ...owner, controller: true }] },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
});

describe('pod ownership', () => {
  it('maps a ReplicaSet pod to its Deployment by pod-template-hash', () => {
    assert.deepEqual(podOwner(runningPod('api-7d9f-x', { kind: 'ReplicaSet', name: 'api-v2-7d9f' }, '7d9f')), { kind: 'Deployment', name: 'api-v2' });
  });
  it('maps StatefulSet and CronJob (through its Job) pods', () => {
    assert.deepEqual(podOwner(runningPod('db-0', { kind: 'StatefulSet', name: 'db' })), { kind: 'StatefulSet', name: 'db' });
    assert.deepEqual(podOwner(runningPod('report-2901-abc', { kind: 'Job', name: 'report-29010' })), { kind: 'CronJob', name: 'report' });
  });
  it('ignores pods without a known controller', () => {
    assert.equal(podOwner({ metadata: { name: 'bare' } }), undefined);
    assert.equal(podOwner(runningPod('x', { kind: 'ReplicaSet', name: 'foo' }, 'zzz')), undefined);
  });
});

describe('pod state', () => {
  it('detects crash loops, not-ready and terminating pods', () => {
    const crash = podInfo({ metadata: { name: 'p' }, status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
    assert.equal(crash.state, 'crash-loop');
    assert.equal(crash.restarts, 4);
    assert.equal(crash.reason, 'CrashLoopBackOff');
    assert.equal(podInfo({ metadata: { name: 'p' }, status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 0 }] } }).state, 'not-ready');
    assert.equal(podInfo({ metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running' } }).state, 'terminating');
    assert.equal(podInfo({ metadata: { name: 'p' }, status: { phase: 'Pending' } }).state, 'pending');
  });
});

describe('workload and environment state', () => {
  const ns = { metadata: { name: 'jane-dev', labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': 'jane' }, annotations: { 't-env.dev/timezone': 'Europe/Berlin' } } };
  const deployment = (name: string, replicas: number, ready: number, annotations: Record<string, string> = {}, labels: Record<string, string> = {}) =>
    scalableInfo('Deployment', { metadata: { name, namespace: 'jane-dev', annotations, labels }, spec: { replicas }, status: { readyReplicas: ready } }, []);

  it('is awake when every workload runs', () => {
    const env = environmentInfo(ns, [deployment('api', 2, 2), deployment('web', 1, 1)]);
    assert.equal(env.state, 'awake');
    assert.equal(env.owner, 'jane');
    assert.equal(env.timezone, 'Europe/Berlin');
  });
  it('is asleep when every sleepable workload carries the sleep annotation', () => {
    const asleep = deployment('api', 0, 0, { [ANNOTATION_REPLICAS_BEFORE_SLEEP]: '2' });
    assert.equal(asleep.state, 'asleep');
    const cron = cronJobInfo({ metadata: { name: 'report', annotations: { [ANNOTATION_REPLICAS_BEFORE_SLEEP]: 'false' } }, spec: { suspend: true } }, []);
    const exempt = deployment('vault', 1, 1, { 't-env.dev/sleep': 'never' });
    assert.equal(environmentInfo(ns, [asleep, cron, exempt]).state, 'asleep');
    assert.equal(environmentInfo(ns, [asleep, deployment('web', 1, 1)]).state, 'partly-awake');
  });
  it('is waking while woken pods start, and marks dev mode', () => {
    assert.equal(environmentInfo(ns, [deployment('api', 2, 0)]).state, 'waking');
    assert.equal(deployment('api', 0, 0, { 'dev.okteto.com/replicas': '2' }, { 'dev.okteto.com': 'true' }).state, 'dev');
  });
  it('is terminating while the namespace is deleted', () => {
    assert.equal(environmentInfo({ ...ns, status: { phase: 'Terminating' } }, []).state, 'terminating');
  });
});

describe('names', () => {
  it('accepts DNS-1123 labels and explains rejections', () => {
    assert.equal(checkEnvironmentName('jane-dev'), undefined);
    assert.match(checkEnvironmentName('Jane_Dev')!, /not a valid DNS-1123 label/);
    assert.match(checkEnvironmentName('-x')!, /not a valid DNS-1123 label/);
    assert.match(checkEnvironmentName('a'.repeat(64))!, /longer than 63/);
    assert.match(checkEnvironmentName('')!, /empty/);
  });
  it('derives a label-safe owner from a developer name', () => {
    assert.equal(ownerLabel('Jane Doe'), 'jane-doe');
    assert.equal(ownerLabel('José.Álvarez'), 'jose-alvarez');
    assert.equal(ownerLabel('___'), 'unknown');
  });
  it('takes my owner label from the setting, then $T_ENV_USER, then the OS user', () => {
    assert.equal(developerOwner('Jane Doe', 'jd', 'jdoe'), 'jane-doe');
    assert.equal(developerOwner('', 'JD', 'jdoe'), 'jd');
    assert.equal(developerOwner(undefined, undefined, 'jdoe'), 'jdoe');
  });
  it('lists my environments first, each group by name', () => {
    const envs = [{ name: 'b', owner: 'max' }, { name: 'c', owner: 'jane' }, { name: 'a', owner: 'max' }, { name: 'a2', owner: 'jane' }];
    assert.deepEqual(mineFirst(envs, 'jane').map((e) => e.name), ['a2', 'c', 'a', 'b']);
    assert.equal(envs[0]?.name, 'b', 'the input stays as it was');
  });
});

describe('warnings', () => {
  const event = (reason: string, last: string | null, eventTime: string | null = null) => ({
    type: 'Warning', reason, message: ` ${reason} happened `, count: 3, involvedObject: { kind: 'Pod', name: 'api-1' }, lastTimestamp: last, eventTime,
  });
  it('reads core/v1 warning events, whose unset times are null', () => {
    assert.deepEqual(warningInfo(event('BackOff', '2026-11-26T10:00:00Z')), {
      reason: 'BackOff', message: 'BackOff happened', count: 3, lastSeen: '2026-11-26T10:00:00Z', object: 'Pod api-1',
    });
    assert.equal(warningInfo(event('X', null, '2026-11-26T09:00:00.5Z'))!.lastSeen, '2026-11-26T09:00:00.5Z');
    assert.equal(warningInfo({ ...event('X', '2026-11-26T10:00:00Z'), type: 'Normal' }), undefined);
  });
  it('keeps only the last hour, newest first', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const list = ['2026-11-26T10:30:00Z', '2026-11-26T11:50:00Z', '2026-11-26T11:10:00Z'].map((t, i) => warningInfo(event(`R${i}`, t))!);
    assert.deepEqual(recentWarnings(list, now).map((w) => w.reason), ['R1', 'R2']);
  });
});
