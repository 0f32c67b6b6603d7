// Sleep and wake decisions: per-workload patches and the environment verdict. Instants are written
// in UTC, so the tests mean the same under any TZ. 2026-01-12 is a Monday.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors.ts';
import {
  ANNOTATION_ASLEEP_UNTIL, ASLEEP_INDEFINITELY, environmentVerdict, manualSleepUntil, manualWakeUntil, planWorkload,
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

describe('environmentVerdict', () => {
  const office = { 't-env.dev/timezone': 'Europe/Berlin', 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' };
  // Monday 2026-01-12: 08:00 Berlin is 07:00Z, 20:00 Berlin is 19:00Z.

  it('follows the schedule in the environment\'s zone', () => {
    assert.equal(environmentVerdict(office, utc('2026-01-12T06:59:00Z')).state, 'asleep');
    assert.equal(environmentVerdict(office, utc('2026-01-12T07:00:00Z')).state, 'awake');
    assert.deepEqual(environmentVerdict(office, utc('2026-01-12T19:00:00Z')), { state: 'asleep', reason: 'schedule', problems: [], expired: [] });
  });

  it('a manual wake wins until awake-until, then the expired marker is reported for removal', () => {
    const woken = { ...office, 't-env.dev/awake-until': '2026-01-12T23:00:00.000Z' };
    assert.deepEqual(environmentVerdict(woken, utc('2026-01-12T22:00:00Z')), { state: 'awake', reason: 'manual-wake', problems: [], expired: [] });
    assert.deepEqual(environmentVerdict(woken, utc('2026-01-12T23:00:00Z')), { state: 'asleep', reason: 'schedule', problems: [], expired: ['t-env.dev/awake-until'] });
  });

  it('a manual sleep sticks inside an awake window until asleep-until', () => {
    const slept = { ...office, [ANNOTATION_ASLEEP_UNTIL]: '2026-01-13T07:00:00.000Z' };
    assert.deepEqual(environmentVerdict(slept, utc('2026-01-12T10:00:00Z')), { state: 'asleep', reason: 'manual-sleep', problems: [], expired: [] });
    assert.deepEqual(environmentVerdict(slept, utc('2026-01-13T07:00:00Z')), { state: 'awake', reason: 'schedule', problems: [], expired: [ANNOTATION_ASLEEP_UNTIL] });
  });

  it('awake-until wins over asleep-until when both are in the future', () => {
    const both = { ...office, 't-env.dev/awake-until': '2026-01-12T23:00:00Z', [ANNOTATION_ASLEEP_UNTIL]: '2026-01-13T07:00:00Z' };
    assert.equal(environmentVerdict(both, utc('2026-01-12T20:00:00Z')).state, 'awake');
  });

  it('without a schedule the sleeper leaves the environment alone', () => {
    assert.deepEqual(environmentVerdict({}, utc('2026-01-12T10:00:00Z')), { state: undefined, reason: 'no-schedule', problems: [], expired: [] });
    assert.deepEqual(environmentVerdict(undefined, utc('2026-01-12T10:00:00Z')).reason, 'no-schedule');
  });

  it('reports every corrupt annotation and decides nothing', () => {
    const now = utc('2026-01-12T10:00:00Z');
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...office, 't-env.dev/timezone': 'Mars/Olympus' }, /Unknown time zone "Mars\/Olympus"/],
      [{ ...office, 't-env.dev/awake-hours': 'weekdays' }, /Invalid awake hours "weekdays"/],
      [{ 't-env.dev/awake-hours': 'always' }, /t-env.dev\/timezone is missing/],
      [{ ...office, 't-env.dev/awake-until': 'tomorrow' }, /t-env.dev\/awake-until is "tomorrow", not an ISO 8601 instant/],
      [{ ...office, [ANNOTATION_ASLEEP_UNTIL]: '1700000000' }, /asleep-until is "1700000000"/],
    ];
    for (const [annotations, problem] of cases) {
      const verdict = environmentVerdict(annotations, now);
      assert.equal(verdict.state, undefined);
      assert.equal(verdict.reason, 'problem');
      assert.match(verdict.problems.join('\n'), problem);
    }
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
  });
});
