// What the tree, status bar and `t env ls` say about an environment's schedule: the schedule,
// manual wake (awake-until), manual sleep (asleep-until), and corrupt annotations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeTransition, environmentJson, scheduleView } from '../../src/core/environment-view.ts';
import { ASLEEP_INDEFINITELY } from '../../src/core/environment.ts';
import type { EnvironmentInfo } from '../../src/core/environment.ts';

const env = (extra: Partial<EnvironmentInfo> = {}): EnvironmentInfo => ({
  name: 'jane-dev', owner: 'jane', timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00',
  awakeUntil: undefined, asleepUntil: undefined, expiresAt: undefined, state: 'awake', workloads: [], ...extra,
});
const thursday16 = new Date('2026-11-26T15:00:00Z'); // 16:00 in Berlin

describe('schedule view', () => {
  it('follows the schedule', () => {
    const view = scheduleView(env(), thursday16);
    assert.equal(view.awakeBySchedule, true);
    assert.deepEqual(view.next, { action: 'sleep', at: new Date('2026-11-26T19:00:00Z') });
    assert.equal(describeTransition(view.next, 'Europe/Berlin', thursday16), 'sleeps Thu 20:00 (in 4 h)');
  });
  it('honours a manual wake past the scheduled sleep', () => {
    const view = scheduleView(env({ awakeUntil: '2026-11-26T21:30:00Z' }), new Date('2026-11-26T20:00:00Z'));
    assert.deepEqual(view.next, { action: 'sleep', at: new Date('2026-11-26T21:30:00Z') });
  });
  it('honours a manual sleep until the next scheduled wake, or until woken', () => {
    const asleep = scheduleView(env({ asleepUntil: '2026-11-27T07:00:00Z' }), thursday16);
    assert.equal(asleep.awakeBySchedule, false);
    assert.deepEqual(asleep.next, { action: 'wake', at: new Date('2026-11-27T07:00:00Z') });
    assert.equal(scheduleView(env({ asleepUntil: ASLEEP_INDEFINITELY }), thursday16).next, undefined);
    // An active manual wake wins over a manual sleep.
    assert.equal(scheduleView(env({ asleepUntil: ASLEEP_INDEFINITELY, awakeUntil: '2026-11-26T18:00:00Z' }), thursday16).awakeBySchedule, true);
  });
  it('reports corrupt annotations instead of guessing', () => {
    assert.match(scheduleView(env({ awakeHours: 'Mon-Fry 08:00-20:00' }), thursday16).problem!, /unknown day "Fry"/);
    assert.match(scheduleView(env({ timezone: 'Mars/Base' }), thursday16).problem!, /Unknown time zone/);
    assert.match(scheduleView(env({ awakeUntil: 'soon' }), thursday16).problem!, /invalid t-env.dev\/awake-until "soon"/);
    const json = environmentJson(env({ awakeHours: 'nonsense' }), thursday16);
    assert.equal(json.next, null);
    assert.match(json.problem!, /Invalid awake hours/);
  });
});
