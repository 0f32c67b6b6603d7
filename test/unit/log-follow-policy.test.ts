// When a workload's container logs are (re)requested: the request's parameters, the next query
// after a response, what a follower does after an end or a failure, backoff, and which pods are the
// workload's. Pure: no cluster, pod statuses written out as the API server reports them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatusLike, PodLike } from '../../src/core/environment.ts';
import {
  afterLogEnd, classifyLogFailure, containerStatus, DEFAULT_RETRY_DELAY_MS, describeWorkload, hasLog, isPodOf, logQueryParams, nextLogQuery, nextRetryDelay, podKey, podsOf,
  restartCount, retryOrPark, showsPreviousInstance, statusSignature,
} from '../../src/core/log-follow-policy.ts';
import type { PodStatusLike } from '../../src/core/log-follow-policy.ts';

const running: ContainerStatusLike = { name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: '2024-01-02T03:04:05Z' } } };
const waiting: ContainerStatusLike = { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
const exited: ContainerStatusLike = { name: 'app', ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 3 } } };
const status = (phase: string, ...containers: ContainerStatusLike[]): PodStatusLike => ({ phase, containerStatuses: containers });

describe('log request parameters', () => {
  it('always asks for timestamps, and for the flags given', () => {
    assert.deepEqual(logQueryParams('app', { follow: false }), [['container', 'app'], ['timestamps', 'true']]);
    assert.deepEqual(logQueryParams('app', { follow: true, previous: true, tailLines: 10 }),
      [['container', 'app'], ['timestamps', 'true'], ['follow', 'true'], ['previous', 'true'], ['tailLines', '10']]);
  });

  it('a followed resume wants every line since sinceTime; a one-shot read the last tailLines of those', () => {
    const since = '2024-01-02T03:04:05.123456789Z';
    assert.deepEqual(logQueryParams('app', { follow: true, sinceTime: since, tailLines: 5 }),
      [['container', 'app'], ['timestamps', 'true'], ['follow', 'true'], ['sinceTime', since]]);
    assert.deepEqual(logQueryParams('app', { follow: false, sinceTime: since, tailLines: 5 }),
      [['container', 'app'], ['timestamps', 'true'], ['sinceTime', since], ['tailLines', '5']]);
    assert.deepEqual(logQueryParams('app', { follow: true, tailLines: 0 }).at(-1), ['tailLines', '0']);
  });
});

describe('the next query of a follower', () => {
  it('resumes from the last delivered line once there is one', () => {
    assert.deepEqual(nextLogQuery('2024-01-02T03:04:05Z', true, 100), { follow: true, sinceTime: '2024-01-02T03:04:05Z' });
    assert.deepEqual(nextLogQuery('2024-01-02T03:04:05Z', false, undefined), { follow: true, sinceTime: '2024-01-02T03:04:05Z' });
  });

  it('asks for the tail first, and for the whole log after an empty response', () => {
    assert.deepEqual(nextLogQuery(undefined, false, 100), { follow: true, tailLines: 100 });
    assert.deepEqual(nextLogQuery(undefined, true, 100), { follow: true });
    assert.deepEqual(nextLogQuery(undefined, false, undefined), { follow: true, tailLines: undefined });
  });

  it('keeps tailLines 0 after an empty response: nothing was shown on purpose', () => {
    assert.deepEqual(nextLogQuery(undefined, true, 0), { follow: true, tailLines: 0 });
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const delays = [DEFAULT_RETRY_DELAY_MS.initial];
    for (let i = 0; i < 8; i++) delays.push(nextRetryDelay(delays.at(-1)!, DEFAULT_RETRY_DELAY_MS));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(nextRetryDelay(7, { initial: 7, max: 10 }), 10);
  });
});

describe('container status', () => {
  it('finds the container by name, with its restarts', () => {
    const s = status('Running', { ...running, name: 'sidecar', restartCount: 4 }, running);
    assert.equal(containerStatus(s, 'app'), running);
    assert.equal(restartCount(s, 'sidecar'), 4);
    assert.equal(restartCount(s, 'missing'), 0);
    assert.equal(containerStatus(undefined, 'app'), undefined);
  });

  it('has a log once an instance ran: running, exited, or restarted before', () => {
    assert.equal(hasLog(running), true);
    assert.equal(hasLog(exited), true);
    assert.equal(hasLog(waiting), false);
    assert.equal(hasLog({ ...waiting, restartCount: 1 }), true);
    assert.equal(hasLog(undefined), false);
  });

  it('changes its signature when phase, state or restarts change, and only then', () => {
    const base = statusSignature(status('Pending', waiting), 'app');
    assert.equal(base, 'Pending/waiting/0');
    assert.equal(statusSignature(status('Pending', { ...waiting, ready: true }), 'app'), base);
    assert.notEqual(statusSignature(status('Running', running), 'app'), base);
    assert.notEqual(statusSignature(status('Pending', { ...waiting, restartCount: 1 }), 'app'), base);
    assert.equal(statusSignature(undefined, 'app'), '/none/0');
  });

  it('shows the previous instance of a container that restarted, unless no tail is wanted', () => {
    assert.equal(showsPreviousInstance(2, undefined), true);
    assert.equal(showsPreviousInstance(2, 10), true);
    assert.equal(showsPreviousInstance(2, 0), false);
    assert.equal(showsPreviousInstance(0, 10), false);
  });
});

describe('after a response', () => {
  it('stops with the exit code when the pod finished', () => {
    assert.deepEqual(afterLogEnd(status('Succeeded', exited), 'app'), { step: 'stop', notice: 'container exited (exit code 3); stream ended' });
    assert.deepEqual(afterLogEnd(status('Failed'), 'app'), { step: 'stop', notice: 'container exited; stream ended' });
  });

  it('resumes a container still running, and waits for the watch otherwise', () => {
    assert.deepEqual(afterLogEnd(status('Running', running), 'app'), { step: 'retry' });
    assert.deepEqual(afterLogEnd(status('Running', exited), 'app'), { step: 'park' });
    assert.equal(retryOrPark(status('Pending', waiting), 'app'), 'park');
    assert.equal(retryOrPark(status('Running', running), 'app'), 'retry');
  });

  it('tells failures apart: denied, gone, idle, not serving, broken', () => {
    assert.equal(classifyLogFailure(401, false), 'denied');
    assert.equal(classifyLogFailure(403, false), 'denied');
    assert.equal(classifyLogFailure(404, false), 'gone');
    assert.equal(classifyLogFailure(undefined, true), 'idle');
    assert.equal(classifyLogFailure(400, false), 'not-serving');
    assert.equal(classifyLogFailure(500, false), 'broken');
    assert.equal(classifyLogFailure(undefined, false), 'broken');
  });
});

describe('the pods of a workload', () => {
  const pod = (name: string, owner: { kind: string; name: string }, hash?: string, uid?: string): PodLike => ({
    metadata: { name, ...(uid ? { uid } : {}), labels: hash ? { 'pod-template-hash': hash } : {}, ownerReferences: [{ ...owner, controller: true }] },
  });
  const pods = [
    pod('api-7d9c-b', { kind: 'ReplicaSet', name: 'api-7d9c' }, '7d9c', 'u1'),
    pod('api-0', { kind: 'StatefulSet', name: 'api' }),
    pod('api-7d9c-a', { kind: 'ReplicaSet', name: 'api-7d9c' }, '7d9c'),
    pod('web-5f-x', { kind: 'ReplicaSet', name: 'web-5f' }, '5f'),
  ];

  it('matches by owner name, and by kind when one is given', () => {
    assert.deepEqual(podsOf(pods, { name: 'api' }).map((p) => p.metadata?.name), ['api-0', 'api-7d9c-a', 'api-7d9c-b']);
    assert.deepEqual(podsOf(pods, { name: 'api', kind: 'Deployment' }).map((p) => p.metadata?.name), ['api-7d9c-a', 'api-7d9c-b']);
    assert.equal(isPodOf(pods[1]!, { name: 'api', kind: 'StatefulSet' }), true);
    assert.equal(isPodOf(pods[3]!, { name: 'api' }), false);
    assert.equal(isPodOf({ metadata: { name: 'bare' } }, { name: 'bare' }), false);
  });

  it('keys a pod by uid, by name without one', () => {
    assert.equal(podKey(pods[0]!), 'u1');
    assert.equal(podKey(pods[1]!), 'api-0');
    assert.equal(podKey({}), '');
  });

  it('describes the workload with its kind when known', () => {
    assert.equal(describeWorkload({ name: 'api', kind: 'Deployment' }), 'Deployment api');
    assert.equal(describeWorkload({ name: 'api' }), 'workload api');
  });
});
