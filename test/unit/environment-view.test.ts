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
    assert.match(scheduleView(env({ awakeUntil: 'soon' }), thursday16).problem!, /t-env.dev\/awake-until is "soon", not an ISO 8601 instant/);
    const json = environmentJson(env({ awakeHours: 'nonsense' }), thursday16);
    assert.equal(json.next, null);
    assert.match(json.problem!, /Invalid awake hours/);
  });
});

describe('schedule view of hostile annotations (issue #17)', () => {
  it('a bad time zone with a manual sleep is a problem of that environment, never a throw (M4)', () => {
    const bad = env({ timezone: 'Mars/Olympus', asleepUntil: '2099-01-01T00:00:00Z' });
    const view = scheduleView(bad, thursday16);
    assert.match(view.problem!, /Unknown time zone "Mars\/Olympus"/);
    assert.equal(environmentJson(bad, thursday16).problem, view.problem);
    // Whatever a caller formats in that zone falls back to UTC instead of throwing.
    assert.equal(describeTransition({ action: 'wake', at: new Date('2026-11-27T07:00:00Z') }, 'Mars/Olympus', thursday16), 'wakes Fri 07:00 UTC (in 16 h)');
  });
  it('huge awake hours (M3), zones and markers (L7) are problems that quote them cut and sanitized', () => {
    const huge = `a${' '.repeat(100_000)}b`;
    const problem = scheduleView(env({ awakeHours: huge }), thursday16).problem!;
    assert.match(problem, /longer than 1024 characters/);
    assert.match(problem, /\(100002 chars\)/);
    assert.ok(problem.length < 400, `${problem.length} characters`);
    const zone = scheduleView(env({ timezone: `\x1b]0;x\x07${'Z'.repeat(200_000)}` }), thursday16).problem!;
    assert.ok(zone.length < 400 && !zone.includes('\x1b'), zone.slice(0, 100));
    const marker = scheduleView(env({ awakeUntil: `2030-01-01T00:00:00Z${' '.repeat(200_000)}` }), thursday16).problem!;
    assert.ok(marker.length < 400, marker.slice(0, 100));
  });
});
