// The one verdict on what an environment should be (environment-verdict.ts), which the sleeper
// acts on and the tree, status bar and `t env ls` show. Instants are written in UTC, so the tests
// mean the same under any TZ. 2026-01-12 is a Monday.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_ASLEEP_UNTIL, ASLEEP_INDEFINITELY } from '../../src/core/environment.ts';
import type { EnvironmentInfo } from '../../src/core/environment.ts';
import { scheduleView } from '../../src/core/environment-view.ts';
import { evaluate } from '../../src/core/environment-verdict.ts';
import type { Transition } from '../../src/core/schedule.ts';

const utc = (iso: string): Date => new Date(iso);
const wake = (iso: string): Transition => ({ action: 'wake', at: utc(iso) });
const sleep = (iso: string): Transition => ({ action: 'sleep', at: utc(iso) });

describe('evaluate', () => {
  const office = { 't-env.dev/timezone': 'Europe/Berlin', 't-env.dev/awake-hours': 'Mon-Fri 08:00-20:00' };
  // Monday 2026-01-12: 08:00 Berlin is 07:00Z, 20:00 Berlin is 19:00Z.

  it('follows the schedule in the environment\'s zone', () => {
    assert.equal(evaluate(office, utc('2026-01-12T06:59:00Z')).state, 'asleep');
    assert.deepEqual(evaluate(office, utc('2026-01-12T07:00:00Z')).next, sleep('2026-01-12T19:00:00Z'));
    assert.deepEqual(evaluate(office, utc('2026-01-12T19:00:00Z')), { state: 'asleep', reason: 'schedule', problems: [], expired: [], next: wake('2026-01-13T07:00:00Z') });
  });

  it('a manual wake wins until awake-until, then the expired marker is reported for removal', () => {
    const woken = { ...office, 't-env.dev/awake-until': '2026-01-12T23:00:00.000Z' };
    assert.deepEqual(evaluate(woken, utc('2026-01-12T22:00:00Z')), { state: 'awake', reason: 'manual-wake', problems: [], expired: [], next: sleep('2026-01-12T23:00:00Z') });
    assert.deepEqual(evaluate(woken, utc('2026-01-12T23:00:00Z')), { state: 'asleep', reason: 'schedule', problems: [], expired: ['t-env.dev/awake-until'], next: wake('2026-01-13T07:00:00Z') });
  });

  it('a manual wake that ends inside an awake window runs on to the end of that window', () => {
    const woken = { ...office, 't-env.dev/awake-until': '2026-01-12T08:00:00Z' };
    assert.deepEqual(evaluate(woken, utc('2026-01-12T06:00:00Z')).next, sleep('2026-01-12T19:00:00Z'));
  });

  it('a manual sleep sticks inside an awake window until asleep-until', () => {
    const slept = { ...office, [ANNOTATION_ASLEEP_UNTIL]: '2026-01-13T07:00:00.000Z' };
    assert.deepEqual(evaluate(slept, utc('2026-01-12T10:00:00Z')), { state: 'asleep', reason: 'manual-sleep', problems: [], expired: [], next: wake('2026-01-13T07:00:00Z') });
    assert.deepEqual(evaluate(slept, utc('2026-01-13T07:00:00Z')), { state: 'awake', reason: 'schedule', problems: [], expired: [ANNOTATION_ASLEEP_UNTIL], next: sleep('2026-01-13T19:00:00Z') });
    assert.equal(evaluate({ ...office, [ANNOTATION_ASLEEP_UNTIL]: ASLEEP_INDEFINITELY }, utc('2026-01-12T10:00:00Z')).next, undefined);
    // Ending inside a scheduled sleep (a hand edit): the schedule's next wake, not a wake into sleep.
    assert.deepEqual(evaluate({ ...office, [ANNOTATION_ASLEEP_UNTIL]: '2026-01-12T21:00:00Z' }, utc('2026-01-12T10:00:00Z')).next, wake('2026-01-13T07:00:00Z'));
  });

  it('awake-until wins over asleep-until when both are in the future, and the sleep resumes after it', () => {
    const both = { ...office, 't-env.dev/awake-until': '2026-01-12T23:00:00Z', [ANNOTATION_ASLEEP_UNTIL]: '2026-01-13T07:00:00Z' };
    assert.equal(evaluate(both, utc('2026-01-12T20:00:00Z')).state, 'awake');
    assert.deepEqual(evaluate(both, utc('2026-01-12T20:00:00Z')).next, sleep('2026-01-12T23:00:00Z'));
  });

  it('without a schedule the sleeper leaves the environment alone', () => {
    assert.deepEqual(evaluate({}, utc('2026-01-12T10:00:00Z')), { state: undefined, reason: 'no-schedule', problems: [], expired: [], next: undefined });
    assert.deepEqual(evaluate(undefined, utc('2026-01-12T10:00:00Z')).reason, 'no-schedule');
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
      const verdict = evaluate(annotations, now);
      assert.equal(verdict.state, undefined);
      assert.equal(verdict.reason, 'problem');
      assert.equal(verdict.next, undefined);
      assert.match(verdict.problems.join('\n'), problem);
    }
  });
});

describe('the tree and the sleeper share the verdict (issue #20)', () => {
  const info = (extra: Partial<EnvironmentInfo>): EnvironmentInfo => ({
    name: 'jane-dev', owner: 'jane', timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00',
    awakeUntil: undefined, asleepUntil: undefined, expiresAt: undefined, state: 'awake', workloads: [], ...extra,
  });
  const monday = utc('2026-01-12T10:00:00Z');

  it('"2030-01-31 18:00" is corrupt for both: Date.parse reads it in the machine\'s zone', () => {
    for (const key of ['awakeUntil', 'asleepUntil'] as const) {
      const env = info({ [key]: '2030-01-31 18:00' });
      const annotation = key === 'awakeUntil' ? 't-env.dev/awake-until' : ANNOTATION_ASLEEP_UNTIL;
      const verdict = evaluate({ 't-env.dev/timezone': env.timezone!, 't-env.dev/awake-hours': env.awakeHours!, [annotation]: '2030-01-31 18:00' }, monday);
      assert.equal(verdict.state, undefined);
      const view = scheduleView(env, monday);
      assert.equal(view.awakeBySchedule, undefined);
      assert.equal(view.next, undefined);
      assert.equal(view.problem, verdict.problems.join('; '));
      assert.match(view.problem ?? '', /"2030-01-31 18:00", not an ISO 8601 instant/);
    }
  });

  it('a manual wake without a schedule is awake for both, with no scheduled change', () => {
    const view = scheduleView(info({ timezone: undefined, awakeHours: undefined, awakeUntil: '2026-01-12T12:00:00Z' }), monday);
    assert.deepEqual(view, { awakeBySchedule: true, next: undefined, problem: undefined });
  });
});
