// Pausing KEDA ScaledObjects while their targets sleep: only those T-Env sleeps, never a pause a
// person set, and only T-Env's own pause is lifted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planScaledObject, scaledObjectTarget } from '../../src/core/keda.ts';
import type { ScaledObjectLike } from '../../src/core/keda.ts';

const so = (target: { kind?: string; name?: string }, annotations?: Record<string, string>): ScaledObjectLike => ({
  metadata: { name: 'so', resourceVersion: '7', ...(annotations ? { annotations } : {}) }, spec: { scaleTargetRef: target },
});
const sleeping = new Set(['Deployment/api', 'StatefulSet/db']);

describe('KEDA pause', () => {
  it('targets Deployments by default', () => {
    assert.equal(scaledObjectTarget(so({ name: 'api' })), 'Deployment/api');
    assert.equal(scaledObjectTarget(so({ kind: 'StatefulSet', name: 'db' })), 'StatefulSet/db');
    assert.equal(scaledObjectTarget(so({})), undefined);
  });

  it('pauses at 0 what sleeps, with its marker and a precondition; leaves the rest', () => {
    assert.deepEqual(planScaledObject(so({ name: 'api' }), 'asleep', sleeping), {
      metadata: { resourceVersion: '7', annotations: { 'autoscaling.keda.sh/paused-replicas': '0', 't-env.dev/paused-by-sleep': 'true' } },
    });
    assert.equal(planScaledObject(so({ name: 'other' }), 'asleep', sleeping), undefined, 'its target does not sleep');
    assert.equal(planScaledObject(so({ name: 'api' }, { 'autoscaling.keda.sh/paused-replicas': '2' }), 'asleep', sleeping), undefined, 'a person paused it');
    assert.equal(planScaledObject(so({ name: 'api' }, { 'autoscaling.keda.sh/paused-replicas': '0', 't-env.dev/paused-by-sleep': 'true' }), 'asleep', sleeping), undefined, 'already paused');
  });

  it('lifts only its own pause on wake', () => {
    assert.deepEqual(planScaledObject(so({ name: 'api' }, { 'autoscaling.keda.sh/paused-replicas': '0', 't-env.dev/paused-by-sleep': 'true' }), 'awake', sleeping), {
      metadata: { resourceVersion: '7', annotations: { 'autoscaling.keda.sh/paused-replicas': null, 't-env.dev/paused-by-sleep': null } },
    });
    assert.equal(planScaledObject(so({ name: 'api' }, { 'autoscaling.keda.sh/paused-replicas': '2' }), 'awake', sleeping), undefined);
  });
});
