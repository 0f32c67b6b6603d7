// The sleep ledger: accrual split at the owner's local midnights (DST days included), no double
// counting, bounded and strict parsing. Instants are UTC; expectations were worked out by hand from
// the zones' rules, so they hold under any TZ (run under TZ=UTC and TZ=Pacific/Chatham).
// Berlin 2026: CEST from Mar 29 01:00Z to Oct 25 01:00Z. Chatham in December: UTC+13:45.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  accrue, ANNOTATION_SLEEP_LEDGER, asleepSecondsBetween, ledgerAgrees, ledgerTotals, ledgerUpdate, ledgerZone, LEDGER_DAYS, MAX_LEDGER_CHARS, parseLedger, recordTransition, serializeLedger, transitionMessage,
} from '../../src/core/sleep-ledger.ts';
import type { LedgerDay, SleepLedger } from '../../src/core/sleep-ledger.ts';
import { dayOfText } from '../../src/core/schedule.ts';

const at = (iso: string): Date => new Date(iso);
const day = (text: string): number => dayOfText(text)!;
const BERLIN = 'Europe/Berlin';

function start(state: 'asleep' | 'awake', iso: string, zone = BERLIN, cause: 'schedule' | 'manual' | 'dev' = 'schedule'): SleepLedger {
  return recordTransition(undefined, { state, cause, at: at(iso) }, zone)!;
}

function figures(ledger: SleepLedger, text: string): LedgerDay | undefined {
  return ledger.days.get(day(text));
}

describe('sleep ledger accrual', () => {
  it('splits at local midnight and counts the wake on its local day', () => {
    const asleep = start('asleep', '2026-12-01T19:00:00Z'); // 20:00 in Berlin
    const awake = recordTransition(asleep, { state: 'awake', cause: 'schedule', at: at('2026-12-02T07:00:00Z') }, BERLIN)!;
    assert.equal(figures(awake, '2026-12-01')?.asleep.schedule, 4 * 3600);
    assert.equal(figures(awake, '2026-12-02')?.asleep.schedule, 8 * 3600);
    assert.equal(figures(awake, '2026-12-02')?.wakes.schedule, 1);
    assert.equal(figures(awake, '2026-12-01')?.wakes.schedule, 0);
    assert.equal(awake.state, 'awake');
    assert.equal(awake.since, at('2026-12-02T07:00:00Z').getTime());
  });

  it('a spring-forward day has 23 hours and a fall-back day 25 (Berlin)', () => {
    const spring = accrue(start('asleep', '2026-03-28T23:00:00Z'), at('2026-03-30T06:00:00Z'), BERLIN);
    assert.equal(figures(spring, '2026-03-29')?.asleep.schedule, 23 * 3600);
    assert.equal(figures(spring, '2026-03-30')?.asleep.schedule, 8 * 3600);
    const fall = accrue(start('awake', '2026-10-24T22:00:00Z', BERLIN, 'manual'), at('2026-10-25T23:00:00Z'), BERLIN);
    assert.equal(figures(fall, '2026-10-25')?.awake.manual, 25 * 3600);
    assert.equal(figures(fall, '2026-10-26'), undefined, 'ends exactly at midnight');
  });

  it('uses the owner\'s zone for day boundaries, even a 45-minute one (Chatham, UTC+13:45)', () => {
    const ledger = accrue(start('asleep', '2026-12-01T09:15:00Z', 'Pacific/Chatham'), at('2026-12-01T11:15:00Z'), 'Pacific/Chatham');
    assert.equal(figures(ledger, '2026-12-01')?.asleep.schedule, 3600); // 23:00-24:00 local
    assert.equal(figures(ledger, '2026-12-02')?.asleep.schedule, 3600); // 00:00-01:00 local
  });

  it('never counts twice: a repeated record, an older instant and a re-accrual add nothing', () => {
    const asleep = start('asleep', '2026-12-01T19:00:00Z');
    const awake = recordTransition(asleep, { state: 'awake', cause: 'manual', at: at('2026-12-01T21:00:00Z') }, BERLIN)!;
    assert.equal(recordTransition(awake, { state: 'awake', cause: 'manual', at: at('2026-12-01T22:00:00Z') }, BERLIN), undefined, 'already awake');
    assert.equal(recordTransition(awake, { state: 'awake', cause: 'schedule', at: at('2026-12-01T22:00:00Z') }, BERLIN)?.cause, 'schedule', 'the cause changed');
    const twice = accrue(accrue(awake, at('2026-12-01T22:00:00Z'), BERLIN), at('2026-12-01T22:00:00Z'), BERLIN);
    assert.equal(figures(twice, '2026-12-01')?.awake.manual, 3600);
    const behind = accrue(twice, at('2026-12-01T20:00:00Z'), BERLIN);
    assert.equal(behind.since, twice.since, 'a clock behind the last record never moves since back');
    assert.deepEqual(figures(behind, '2026-12-01'), figures(twice, '2026-12-01'));
    assert.equal(figures(awake, '2026-12-01')?.asleep.schedule, 2 * 3600);
    assert.equal(figures(awake, '2026-12-01')?.wakes.manual, 1);
  });

  it('Start Dev\'s wake keeps its cause when the sleeper sees only a manual marker', () => {
    const dev = start('awake', '2026-12-01T08:00:00Z', BERLIN, 'dev');
    assert.ok(ledgerAgrees(dev, 'awake', 'manual'));
    assert.ok(!ledgerAgrees(dev, 'awake', 'schedule'));
    assert.ok(!ledgerAgrees(dev, 'asleep', 'manual'));
    assert.ok(!ledgerAgrees(undefined, 'awake', 'schedule'));
  });

  it('keeps the last 35 local days and skips time before them', () => {
    const old = start('asleep', '2025-01-01T00:00:00Z');
    const now = accrue(old, at('2026-12-02T11:00:00Z'), BERLIN);
    assert.equal(now.days.size, LEDGER_DAYS);
    const first = Math.min(...now.days.keys());
    assert.equal(first, day('2026-12-02') - LEDGER_DAYS + 1);
    assert.equal(now.days.get(first)?.asleep.schedule, 24 * 3600);
    assert.equal(figures(now, '2026-12-02')?.asleep.schedule, 12 * 3600);
    const text = serializeLedger(now);
    assert.ok(text.length < 3000, `a full ledger is ${text.length} characters`);
  });

  it('totals a range of days and counts the open interval up to now without writing it', () => {
    const ledger = recordTransition(start('asleep', '2026-12-01T19:00:00Z'), { state: 'awake', cause: 'schedule', at: at('2026-12-02T07:00:00Z') }, BERLIN)!;
    const totals = ledgerTotals(ledger, day('2026-12-02'), day('2026-12-02'), at('2026-12-02T09:00:00Z'), BERLIN);
    assert.deepEqual(totals, { asleep: { schedule: 8 * 3600, manual: 0, dev: 0 }, awake: { schedule: 2 * 3600, manual: 0, dev: 0 }, wakes: { schedule: 1, manual: 0, dev: 0 } });
    assert.equal(ledger.since, at('2026-12-02T07:00:00Z').getTime(), 'reading changed nothing');
  });
});

describe('sleep ledger annotation', () => {
  it('round-trips', () => {
    const ledger = recordTransition(start('asleep', '2026-12-01T19:00:00Z'), { state: 'awake', cause: 'dev', at: at('2026-12-02T07:30:00Z') }, BERLIN)!;
    const text = serializeLedger(ledger);
    assert.equal(text, '{"v":1,"state":"awake","cause":"dev","since":"2026-12-02T07:30:00.000Z","days":{"2026-12-01":[14400,0,0,0,0,0,0,0,0],"2026-12-02":[30600,0,0,0,0,0,0,0,1]}}');
    const read = parseLedger(text);
    assert.equal(read.problem, undefined);
    assert.equal(serializeLedger(read.ledger!), text);
    assert.deepEqual(parseLedger(undefined), { ledger: undefined, problem: undefined });
  });

  it('reports corrupt ledgers (to be started afresh) and never parses oversized ones', () => {
    const good = { v: 1, state: 'asleep', cause: 'schedule', since: '2026-12-01T19:00:00.000Z', days: {} };
    const cases: [string, RegExp][] = [
      ['{', /not JSON: "\{"/],
      ['[]', /not a JSON object/],
      [JSON.stringify({ ...good, v: 2 }), /unknown version "2"/],
      [JSON.stringify({ ...good, state: 'dozing' }), /state "dozing"/],
      [JSON.stringify({ ...good, cause: 'cron' }), /cause "cron"/],
      [JSON.stringify({ ...good, since: 'yesterday' }), /since "yesterday"/],
      [JSON.stringify({ ...good, days: { '2026-02-30': [0, 0, 0, 0, 0, 0, 0, 0, 0] } }), /day "2026-02-30"/],
      [JSON.stringify({ ...good, days: { '2026-12-01': [0, 0, 0] } }), /day 2026-12-01 is not nine counts/],
      [JSON.stringify({ ...good, days: { '2026-12-01': [-1, 0, 0, 0, 0, 0, 0, 0, 0] } }), /not nine counts/],
      [JSON.stringify({ ...good, days: { '2026-12-01': [999999, 0, 0, 0, 0, 0, 0, 0, 0] } }), /not nine counts/],
      [' '.repeat(MAX_LEDGER_CHARS + 1), /longer than 8192 characters/],
    ];
    for (const [text, problem] of cases) {
      const read = parseLedger(text);
      assert.equal(read.ledger, undefined, text.slice(0, 80));
      assert.match(read.problem ?? '', problem);
      assert.match(read.problem ?? '', /^t-env\.dev\/sleep-ledger is unreadable .*; it starts afresh$/);
    }
  });
});

describe('recording on a namespace', () => {
  it('counts days in the namespace\'s zone (UTC without a usable one) and restarts a corrupt ledger, reporting it', () => {
    assert.equal(ledgerZone('europe/berlin'), BERLIN);
    assert.equal(ledgerZone('Mars/Olympus'), 'UTC');
    assert.equal(ledgerZone(undefined), 'UTC');
    const first = ledgerUpdate({ 't-env.dev/timezone': BERLIN }, { state: 'asleep', cause: 'schedule', at: at('2026-12-01T19:00:00Z') });
    assert.deepEqual({ ...first, value: undefined }, { value: undefined, previous: undefined, problem: undefined });
    const annotations = { 't-env.dev/timezone': BERLIN, [ANNOTATION_SLEEP_LEDGER]: first.value! };
    assert.equal(ledgerUpdate(annotations, { state: 'asleep', cause: 'schedule', at: at('2026-12-01T20:00:00Z') }).value, undefined, 'agrees: nothing to write');
    const woken = ledgerUpdate(annotations, { state: 'awake', cause: 'manual', at: at('2026-12-01T20:00:00Z') });
    assert.equal(woken.previous, 'asleep');
    assert.equal(parseLedger(woken.value).ledger?.days.get(day('2026-12-01'))?.asleep.schedule, 3600);
    const corrupt = ledgerUpdate({ [ANNOTATION_SLEEP_LEDGER]: 'garbage' }, { state: 'awake', cause: 'schedule', at: at('2026-12-01T20:00:00Z') });
    assert.match(corrupt.problem ?? '', /unreadable \(not JSON: "garbage"\); it starts afresh/);
    assert.equal(parseLedger(corrupt.value).ledger?.state, 'awake');
    assert.equal(corrupt.previous, undefined);
  });
});

describe('seconds asleep between two readings (the sleeper\'s metrics)', () => {
  const H = 3600;
  const reading = (ledger: SleepLedger | undefined, iso: string, zone = BERLIN): { ledger: SleepLedger | undefined; at: number; zone: string } => ({ ledger, at: at(iso).getTime(), zone });

  it('counts the time asleep since the previous reading, across a local midnight, and transitions recorded in between', () => {
    const asleep = start('asleep', '2026-12-01T19:00:00Z');
    assert.equal(asleepSecondsBetween(reading(asleep, '2026-12-01T20:00:00Z'), reading(asleep, '2026-12-02T01:00:00Z')), 5 * H);
    // Woken by hand at 03:00Z, asleep again at 05:00Z: only the asleep parts count.
    const woken = recordTransition(asleep, { state: 'awake', cause: 'manual', at: at('2026-12-02T03:00:00Z') }, BERLIN)!;
    const slept = recordTransition(woken, { state: 'asleep', cause: 'manual', at: at('2026-12-02T05:00:00Z') }, BERLIN)!;
    assert.equal(asleepSecondsBetween(reading(asleep, '2026-12-02T01:00:00Z'), reading(slept, '2026-12-02T06:00:00Z')), 3 * H);
    assert.equal(asleepSecondsBetween(reading(woken, '2026-12-02T03:00:00Z'), reading(woken, '2026-12-02T04:00:00Z')), 0, 'awake');
  });

  it('a ledger written since the previous reading starts from zero; none now, a clock gone back or a new zone give 0', () => {
    const asleep = start('asleep', '2026-12-01T19:00:00Z');
    assert.equal(asleepSecondsBetween(reading(undefined, '2026-12-01T18:59:00Z'), reading(asleep, '2026-12-01T21:00:00Z')), 2 * H);
    assert.equal(asleepSecondsBetween(reading(asleep, '2026-12-01T21:00:00Z'), reading(undefined, '2026-12-01T22:00:00Z')), 0);
    assert.equal(asleepSecondsBetween(reading(asleep, '2026-12-01T21:00:00Z'), reading(asleep, '2026-12-01T20:00:00Z')), 0);
    assert.equal(asleepSecondsBetween(reading(asleep, '2026-12-01T21:00:00Z'), reading(asleep, '2026-12-01T22:00:00Z', 'UTC')), 0);
  });

  it('is not fooled by days dropping out of the ledger, and never exceeds the time between the readings', () => {
    const asleep = start('asleep', '2026-11-01T12:00:00Z');
    // 40 days later the first days have dropped out of the kept window; an hour asleep is an hour.
    assert.equal(asleepSecondsBetween(reading(asleep, '2026-12-10T22:30:00Z'), reading(asleep, '2026-12-10T23:30:00Z')), H);
    // A restarted ledger that says more than the time between: bounded.
    const other = start('asleep', '2026-12-09T00:00:00Z');
    assert.equal(asleepSecondsBetween(reading(undefined, '2026-12-10T22:00:00Z'), reading(other, '2026-12-10T23:00:00Z')), H);
  });
});

describe('transition messages', () => {
  it('names who or what did it', () => {
    assert.equal(transitionMessage('awake', 'manual', { user: 'alice', via: 'VS Code' }), 'Woken by alice from VS Code');
    assert.equal(transitionMessage('asleep', 'schedule'), 'Slept by schedule');
    assert.equal(transitionMessage('awake', 'dev', { via: 'Start Dev' }), 'Woken by someone from Start Dev');
    assert.equal(transitionMessage('awake', 'manual'), 'Woken by Keep Awake');
    assert.equal(transitionMessage('asleep', 'manual'), 'Slept by a manual sleep');
  });
});
