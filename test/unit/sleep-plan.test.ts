// Sleep and wake decisions: per-workload patches and the manual sleep and wake markers. Instants are written
// in UTC, so the tests mean the same under any TZ. 2026-01-12 is a Monday.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from '../../src/core/environment-verdict.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import {
  ASLEEP_INDEFINITELY, manualSleepUntil, manualWakeUntil, planWorkload,
} from '../../src/core/sleep-plan.ts';
import type { SleepableObject, WorkloadPlan } from '../../src/core/sleep-plan.ts';

const BEFORE = 't-env.dev/replicas-before-sleep';
const utc = (iso: string): Date => new Date(iso);

function deployment(replicas: number | undefined, annotations: Record<string, string> = {}, extra: Partial<NonNullable<SleepableObject['metadata']>> = {}): SleepableObject {
  return { metadata: { name: 'api', resourceVersion: '42', annotations, ...extra }, spec: replicas === undefined ? {} : { replicas } };
}

function cronJob(suspend: boolean | undefined, annotations: Record<string, string> = {}): SleepableObject {
  return { metadata: { name: 'report', resourceVersion: '7', annotations }, spec: suspend === undefined ? {} : { suspend } };
}

function patchOf(plan: WorkloadPlan): unknown {
  assert.equal(plan.type, 'patch', `expected a patch, got ${JSON.stringify(plan)}`);
  return plan.type === 'patch' ? plan.patch : undefined;
}

describe('planWorkload: sleep', () => {
  it('records the count and scales to 0 in one patch, guarded by the resourceVersion', () => {
    assert.deepEqual(patchOf(planWorkload('Deployment', deployment(3), 'asleep', 'manual')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: '3' } }, spec: { replicas: 0 },
    });
    assert.deepEqual(patchOf(planWorkload('StatefulSet', deployment(1), 'asleep', 'scheduled')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: '1' } }, spec: { replicas: 0 },
    });
  });

  it('takes an absent replica count as the API default of 1', () => {
    assert.deepEqual(patchOf(planWorkload('Deployment', deployment(undefined), 'asleep', 'manual')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: '1' } }, spec: { replicas: 0 },
    });
  });

  it('records "0" for a workload already at 0, without touching its spec, so the environment counts as asleep', () => {
    assert.deepEqual(patchOf(planWorkload('Deployment', deployment(0), 'asleep', 'scheduled')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: '0' } },
    });
  });

  it('suspends CronJobs, keeping their previous suspend value', () => {
    assert.deepEqual(patchOf(planWorkload('CronJob', cronJob(undefined), 'asleep', 'manual')), {
      metadata: { resourceVersion: '7', annotations: { [BEFORE]: 'false' } }, spec: { suspend: true },
    });
    assert.deepEqual(patchOf(planWorkload('CronJob', cronJob(true), 'asleep', 'manual')), {
      metadata: { resourceVersion: '7', annotations: { [BEFORE]: 'true' } },
    });
  });

  it('is idempotent: an asleep workload needs nothing', () => {
    assert.deepEqual(planWorkload('Deployment', deployment(0, { [BEFORE]: '2' }), 'asleep', 'scheduled'), { type: 'unchanged' });
    assert.deepEqual(planWorkload('CronJob', cronJob(true, { [BEFORE]: 'false' }), 'asleep', 'manual'), { type: 'unchanged' });
  });

  it('leaves sleep=never and controller-owned workloads alone', () => {
    const never = planWorkload('Deployment', deployment(2, { 't-env.dev/sleep': 'never' }), 'asleep', 'manual');
    assert.deepEqual(never, { type: 'skip', reason: 'Deployment/api is annotated t-env.dev/sleep=never' });
    const owned = planWorkload('Deployment', deployment(2, {}, { ownerReferences: [{ kind: 'Rollout', name: 'api', controller: true }] }), 'asleep', 'manual');
    assert.deepEqual(owned, { type: 'skip', reason: 'Deployment/api is managed by Rollout/api' });
    // A non-controller owner reference (e.g. for garbage collection) does not count.
    const gc = planWorkload('Deployment', deployment(2, {}, { ownerReferences: [{ kind: 'ConfigMap', name: 'x' }] }), 'asleep', 'manual');
    assert.equal(gc.type, 'patch');
  });

  it('a workload woken by hand while asleep: the sleeper leaves it, a manual sleep records the new count', () => {
    const woken = deployment(4, { [BEFORE]: '2' });
    const scheduled = planWorkload('Deployment', woken, 'asleep', 'scheduled');
    assert.equal(scheduled.type, 'skip');
    assert.match(scheduled.type === 'skip' ? scheduled.reason : '', /woken by hand while asleep \(replicas 4\)/);
    assert.deepEqual(patchOf(planWorkload('Deployment', woken, 'asleep', 'manual')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: '4' } }, spec: { replicas: 0 },
    });
  });

  it('reports corrupt annotations and never guesses', () => {
    for (const bad of ['abc', '-1', '1.5', '', ' 2', '01', '99999999999']) {
      for (const target of ['asleep', 'awake'] as const) {
        const plan = planWorkload('Deployment', deployment(0, { [BEFORE]: bad }), target, 'scheduled');
        assert.deepEqual(plan, { type: 'problem', problem: `Deployment/api: ${BEFORE} is "${bad}", not a replica count; left alone` });
      }
    }
    assert.equal(planWorkload('CronJob', cronJob(true, { [BEFORE]: 'yes' }), 'awake', 'manual').type, 'problem');
    assert.deepEqual(planWorkload('Deployment', deployment(2, { 't-env.dev/sleep': 'nevr' }), 'asleep', 'manual'), {
      type: 'problem', problem: 'Deployment/api: t-env.dev/sleep is "nevr" (only "never" is known); left alone',
    });
  });

  it('omits the precondition only when the object has no resourceVersion', () => {
    const plan = planWorkload('Deployment', { metadata: { name: 'api' }, spec: { replicas: 1 } }, 'asleep', 'manual');
    assert.deepEqual(patchOf(plan), { metadata: { annotations: { [BEFORE]: '1' } }, spec: { replicas: 0 } });
  });
});

describe('planWorkload: wake', () => {
  it('restores the recorded count and removes the record in one patch', () => {
    assert.deepEqual(patchOf(planWorkload('Deployment', deployment(0, { [BEFORE]: '3' }), 'awake', 'manual')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: null } }, spec: { replicas: 3 },
    });
    assert.deepEqual(patchOf(planWorkload('CronJob', cronJob(true, { [BEFORE]: 'false' }), 'awake', 'scheduled')), {
      metadata: { resourceVersion: '7', annotations: { [BEFORE]: null } }, spec: { suspend: false },
    });
  });

  it('only removes the record when there is nothing to restore (count 0, CronJob suspended before)', () => {
    assert.deepEqual(patchOf(planWorkload('Deployment', deployment(0, { [BEFORE]: '0' }), 'awake', 'manual')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: null } },
    });
    assert.deepEqual(patchOf(planWorkload('CronJob', cronJob(true, { [BEFORE]: 'true' }), 'awake', 'manual')), {
      metadata: { resourceVersion: '7', annotations: { [BEFORE]: null } },
    });
  });

  it('keeps what a person set while the workload slept', () => {
    const plan = planWorkload('Deployment', deployment(5, { [BEFORE]: '2' }), 'awake', 'scheduled');
    assert.deepEqual(patchOf(plan), { metadata: { resourceVersion: '42', annotations: { [BEFORE]: null } } });
    assert.match(plan.type === 'patch' ? plan.summary : '', /changed while asleep, kept at replicas 5/);
    assert.deepEqual(patchOf(planWorkload('CronJob', cronJob(false, { [BEFORE]: 'true' }), 'awake', 'manual')), {
      metadata: { resourceVersion: '7', annotations: { [BEFORE]: null } },
    });
  });

  it('is idempotent: an awake workload needs nothing, whatever its count', () => {
    assert.deepEqual(planWorkload('Deployment', deployment(0), 'awake', 'manual'), { type: 'unchanged' });
    assert.deepEqual(planWorkload('Deployment', deployment(2), 'awake', 'scheduled'), { type: 'unchanged' });
  });

  it('still restores a workload annotated sleep=never after it was put to sleep', () => {
    assert.deepEqual(patchOf(planWorkload('Deployment', deployment(0, { [BEFORE]: '2', 't-env.dev/sleep': 'never' }), 'awake', 'manual')), {
      metadata: { resourceVersion: '42', annotations: { [BEFORE]: null } }, spec: { replicas: 2 },
    });
  });
});

describe('manual sleep and wake markers', () => {
  const office = { 't-env.dev/timezone': 'Europe/Berlin', 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' };

  it('a manual sleep inside an awake window lasts until the next scheduled wake', () => {
    // Monday 11:00 Berlin → Tuesday 08:00 Berlin.
    assert.deepEqual(manualSleepUntil(office, utc('2026-01-12T10:00:00Z')), { until: '2026-01-13T07:00:00.000Z', problem: undefined });
    // Friday 21:00 Berlin (asleep already) → Monday 08:00.
    assert.deepEqual(manualSleepUntil(office, utc('2026-01-16T20:00:00Z')), { until: '2026-01-19T07:00:00.000Z', problem: undefined });
  });

  it('a manual sleep of a schedule that never sleeps lasts until someone wakes it', () => {
    assert.deepEqual(manualSleepUntil({ 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'always' }, utc('2026-01-12T10:00:00Z')), { until: ASLEEP_INDEFINITELY, problem: undefined });
    assert.deepEqual(manualSleepUntil({}, utc('2026-01-12T10:00:00Z')), { until: ASLEEP_INDEFINITELY, problem: undefined });
    const corrupt = manualSleepUntil({ ...office, 't-env.dev/timezone': 'Nowhere' }, utc('2026-01-12T10:00:00Z'));
    assert.equal(corrupt.until, ASLEEP_INDEFINITELY);
    assert.match(corrupt.problem ?? '', /Unknown time zone/);
  });

  it('a manual wake lasts until the scheduled sleep, at least the minimum, or exactly the given duration', () => {
    assert.equal(manualWakeUntil(office, utc('2026-01-12T10:00:00Z'), 2).until, '2026-01-12T19:00:00.000Z');
    assert.equal(manualWakeUntil(office, utc('2026-01-12T18:30:00Z'), 2).until, '2026-01-12T20:30:00.000Z');
    assert.equal(manualWakeUntil(office, utc('2026-01-12T22:00:00Z'), 2).until, '2026-01-13T00:00:00.000Z');
    assert.equal(manualWakeUntil(office, utc('2026-01-12T10:00:00Z'), 2, 3_600_000).until, '2026-01-12T11:00:00.000Z');
    assert.deepEqual(manualWakeUntil({}, utc('2026-01-12T10:00:00Z'), 4), { until: '2026-01-12T14:00:00.000Z', problem: undefined });
    const corrupt = manualWakeUntil({ ...office, 't-env.dev/awake-hours': 'nope' }, utc('2026-01-12T10:00:00Z'), 1);
    assert.equal(corrupt.until, '2026-01-12T11:00:00.000Z');
    assert.match(corrupt.problem ?? '', /Invalid awake hours "nope"/);
    assert.throws(() => manualWakeUntil(office, utc('2026-01-12T10:00:00Z'), 2, -5), InvalidInputError);
    assert.throws(() => manualWakeUntil(office, utc('2026-01-12T10:00:00Z'), Number.NaN), InvalidInputError);
    assert.throws(() => manualWakeUntil(office, utc('2026-01-12T10:00:00Z'), -1), /Invalid minimum wake hours "-1": expected a number of hours, 0 or more/);
  });

  it('a manual wake while the schedule sleeps lasts the minimum, and hands over to a window starting within it', () => {
    // Saturday 2026-01-10: asleep all day.
    assert.equal(manualWakeUntil(office, utc('2026-01-10T10:00:00Z'), 0.5).until, '2026-01-10T10:30:00.000Z');
    // Monday 07:00 Berlin: the window opens at 08:00, within the two hours.
    const until = manualWakeUntil(office, utc('2026-01-12T06:00:00Z'), 2).until;
    assert.equal(until, '2026-01-12T08:00:00.000Z');
    assert.deepEqual(evaluate({ ...office, 't-env.dev/awake-until': until }, utc('2026-01-12T06:00:00Z')).next, { action: 'sleep', at: utc('2026-01-12T19:00:00Z') });
  });

  it('a manual wake of a schedule that never sleeps lasts exactly the minimum', () => {
    for (const hours of ['always', 'Mon-Sun 00:00-24:00']) {
      const annotations = { 't-env.dev/timezone': 'Europe/Berlin', 't-env.dev/awake-hours': hours };
      assert.equal(manualWakeUntil(annotations, utc('2026-01-10T10:00:00Z'), 2).until, '2026-01-10T12:00:00.000Z');
      assert.equal(manualWakeUntil(annotations, utc('2026-01-10T10:00:00Z'), 0).until, '2026-01-10T10:00:00.000Z');
    }
  });
});
