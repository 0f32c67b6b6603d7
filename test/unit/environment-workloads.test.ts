// One environment's workloads from its objects: pods under their workload, an okteto dev copy's
// pods under the original, warnings under the object they are about.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventLike, PodLike, ScalableLike } from '../../src/core/environment.ts';
import { environmentWorkloads } from '../../src/core/environment-workloads.ts';
import type { EnvironmentObjects } from '../../src/core/environment-workloads.ts';

const pod = (name: string, owner: { kind: string; name: string }, hash?: string): PodLike => ({
  metadata: { name, labels: hash ? { 'pod-template-hash': hash } : {}, ownerReferences: [{ ...owner, controller: true }] },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
});
const scalable = (name: string, replicas: number, labels: Record<string, string> = {}): ScalableLike => ({
  metadata: { name, namespace: 'jane-dev', labels }, spec: { replicas }, status: { readyReplicas: replicas },
});
const warning = (kind: string, name: string, reason: string): EventLike => ({
  type: 'Warning', reason, message: reason, count: 1, involvedObject: { kind, name }, lastTimestamp: '2026-11-26T10:00:00Z',
});
const objects = (extra: Partial<EnvironmentObjects>): EnvironmentObjects => ({
  scalable: { Deployment: [], StatefulSet: [] }, cronJobs: [], pods: [], events: [], ...extra,
});

describe('environment workloads', () => {
  it('puts each pod under its workload, sorted by name, and lists the kinds in registry order', () => {
    const workloads = environmentWorkloads(objects({
      scalable: { Deployment: [scalable('api', 2)], StatefulSet: [scalable('db', 1)] },
      cronJobs: [{ metadata: { name: 'report' }, spec: { suspend: false } }],
      pods: [pod('api-7d9f-b', { kind: 'ReplicaSet', name: 'api-7d9f' }, '7d9f'), pod('api-7d9f-a', { kind: 'ReplicaSet', name: 'api-7d9f' }, '7d9f'),
        pod('db-0', { kind: 'StatefulSet', name: 'db' }), pod('report-29010-x', { kind: 'Job', name: 'report-29010' }), pod('stray', { kind: 'Node', name: 'n' })],
    }));
    assert.deepEqual(workloads.map((w) => `${w.kind}/${w.name}: ${w.pods.map((p) => p.name).join(',')}`),
      ['Deployment/api: api-7d9f-a,api-7d9f-b', 'StatefulSet/db: db-0', 'CronJob/report: report-29010-x']);
  });

  it('shows an okteto dev copy\'s pods under the original and does not list the copy', () => {
    const workloads = environmentWorkloads(objects({
      scalable: { Deployment: [scalable('web', 0, { 'dev.okteto.com': 'true' }), scalable('web-okteto', 1, { 'dev.okteto.com/clone': 'uid-1' })], StatefulSet: [] },
      pods: [pod('web-okteto-5c4d-x', { kind: 'ReplicaSet', name: 'web-okteto-5c4d' }, '5c4d')],
    }));
    assert.deepEqual(workloads.map((w) => w.name), ['web']);
    assert.deepEqual(workloads[0]?.pods.map((p) => p.name), ['web-okteto-5c4d-x']);
    assert.equal(workloads[0]?.state, 'dev');
  });

  it('gives a workload its own warnings, its ReplicaSets\' and its pods\', and a pod only its own', () => {
    const workloads = environmentWorkloads(objects({
      scalable: { Deployment: [scalable('api', 1), scalable('api-v2', 1)], StatefulSet: [] },
      pods: [pod('api-7d9f-a', { kind: 'ReplicaSet', name: 'api-7d9f' }, '7d9f')],
      events: [warning('Deployment', 'api', 'Own'), warning('ReplicaSet', 'api-7d9f', 'FailedCreate'), warning('Pod', 'api-7d9f-a', 'BackOff'),
        warning('Deployment', 'api-v2', 'Other'), { ...warning('Deployment', 'api', 'Scaled'), type: 'Normal' }],
    }));
    const api = workloads.find((w) => w.name === 'api')!;
    // A ReplicaSet counts by its name prefix; api-v2 is a Deployment of its own, not api's child.
    assert.deepEqual(api.warnings.map((w) => w.reason).sort(), ['BackOff', 'FailedCreate', 'Own']);
    assert.deepEqual(api.pods[0]?.warnings.map((w) => w.reason), ['BackOff']);
    assert.deepEqual(workloads.find((w) => w.name === 'api-v2')?.warnings.map((w) => w.reason), ['Other']);
  });
});
