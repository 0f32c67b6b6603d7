// The savings arithmetic of `t report` and Kubernetes quantities. Instants are UTC; Berlin in
// January is UTC+1 and 2026-01-12 is a Monday, so the figures hold under any TZ.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobInfo, environmentInfo, scalableInfo } from '../../src/core/environment.ts';
import type { EnvironmentInfo, ScalableLike, WorkloadInfo } from '../../src/core/environment.ts';
import { parseQuantity, podRequests } from '../../src/core/quantity.ts';
import { asleepWorkloadText, checkReportDays, recentSavingsText, savingsCsv, savingsReport, sleepingRequests } from '../../src/core/savings.ts';
import { ANNOTATION_SLEEP_LEDGER, recordTransition, serializeLedger } from '../../src/core/sleep-ledger.ts';
import type { LedgerTransition, SleepLedger } from '../../src/core/sleep-ledger.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

const BERLIN = 'Europe/Berlin';

function ledgerOf(transitions: LedgerTransition[]): string {
  let ledger: SleepLedger | undefined;
  for (const t of transitions) ledger = recordTransition(ledger, t, BERLIN) ?? ledger;
  return serializeLedger(ledger!);
}

/** A Deployment (or StatefulSet) as the model sees it, from its object. */
function workload(cpu: string, memory: string, replicas: number, metadata: ScalableLike['metadata'] = {}, kind: 'Deployment' | 'StatefulSet' = 'Deployment'): WorkloadInfo {
  return scalableInfo(kind, { metadata: { name: 'w', ...metadata }, spec: { replicas, template: { spec: { containers: [{ resources: { requests: { cpu, memory } } }] } } } }, []);
}

function environment(name: string, owner: string, annotations: Record<string, string>, workloads: WorkloadInfo[]): EnvironmentInfo {
  return environmentInfo({ metadata: { name, labels: { 't-env.dev/owner': owner }, annotations } }, workloads);
}

describe('quantities', () => {
  it('parses the Kubernetes suffixes and refuses anything else', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('1.5'), 1.5);
    assert.equal(parseQuantity('256Mi'), 256 * 2 ** 20);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('128974848'), 128974848);
    for (const bad of ['', 'lots', '1 Gi', '1gi', '-1', '1.2.3', '9'.repeat(65), 'Infinity']) assert.equal(parseQuantity(bad), undefined, bad);
  });
});

describe('sleeping requests', () => {
  it('a pod holds its containers\' and sidecars\' requests, not those of init containers that complete', () => {
    assert.deepEqual(podRequests({
      containers: [{ resources: { requests: { cpu: '500m', memory: '256Mi' } } }],
      initContainers: [{ restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } }, { resources: { requests: { cpu: '1' } } }],
    }), { cpuCores: 0.6, memoryGiB: 0.25, problems: [] });
    assert.deepEqual(podRequests(undefined), { cpuCores: 0, memoryGiB: 0, problems: [] });
  });

  it('counts requests times the replicas that sleep; nothing for workloads the sleeper leaves alone or CronJobs', () => {
    assert.deepEqual(sleepingRequests(workload('600m', '256Mi', 2)), { cpuCores: 1.2, memoryGiB: 0.5, problems: [] });
    const asleep = workload('1', '1Gi', 0, { name: 'db', annotations: { 't-env.dev/replicas-before-sleep': '3' } }, 'StatefulSet');
    assert.deepEqual(sleepingRequests(asleep), { cpuCores: 3, memoryGiB: 3, problems: [] });
    assert.equal(sleepingRequests(workload('4', '1Gi', 1, { annotations: { 't-env.dev/sleep': 'never' } })).cpuCores, 0);
    assert.equal(sleepingRequests(workload('4', '1Gi', 1, { ownerReferences: [{ kind: 'X', name: 'x', controller: true }] })).cpuCores, 0);
    assert.equal(sleepingRequests(cronJobInfo({ metadata: { name: 'report' } }, [])).cpuCores, 0);
    assert.deepEqual(sleepingRequests(workload('lots', '1Gi', 1, { name: 'odd' })), { cpuCores: 0, memoryGiB: 1, problems: ['Deployment/odd: cpu request "lots" is not a quantity; counted as 0'] });
  });
});

describe('savings report', () => {
  // Monday in Berlin: asleep by schedule from local midnight, woken by hand at 06:00, the schedule
  // takes over at 08:00 and sleeps it at 18:00; the report is made at 23:00.
  const ledger = ledgerOf([
    { state: 'asleep', cause: 'schedule', at: new Date('2026-01-11T23:00:00Z') },
    { state: 'awake', cause: 'manual', at: new Date('2026-01-12T05:00:00Z') },
    { state: 'awake', cause: 'schedule', at: new Date('2026-01-12T07:00:00Z') },
    { state: 'asleep', cause: 'schedule', at: new Date('2026-01-12T17:00:00Z') },
  ]);
  const alice = environment('alice-env', 'alice', { 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00', 't-env.dev/timezone': BERLIN, [ANNOTATION_SLEEP_LEDGER]: ledger }, [
    workload('600m', '256Mi', 2), // 1.2 cores, 0.5 GiB
    workload('1', '1Gi', 0, { name: 'db', annotations: { 't-env.dev/replicas-before-sleep': '1' } }, 'StatefulSet'),
  ]);
  const bob = environment('bob-env', 'bob', { 't-env.dev/timezone': BERLIN }, []);
  const period = { days: 1, until: new Date('2026-01-12T22:00:00Z') };

  it('gives realized and potential figures from the ledger, the schedule and the requests', () => {
    const report = savingsReport([bob, alice], period, { cpuCoreHour: 0.1, gibHour: 0.02 });
    const env = report.environments[0]!;
    assert.equal(env.name, 'alice-env');
    assert.deepEqual({ ...env, potential: undefined }, {
      name: 'alice-env', owner: 'alice', timezone: BERLIN,
      awakeHours: 12, asleepHours: 11, asleepPercent: 47.8,
      asleepHoursByCause: { schedule: 11, manual: 0, dev: 0 }, awakeHoursByCause: { schedule: 10, manual: 2, dev: 0 },
      wakesByTrigger: { schedule: 0, manual: 1, dev: 0 },
      requests: { cpuCores: 2.2, memoryGiB: 1.5 },
      avoidedCpuCoreHours: 24.2, avoidedMemoryGiBHours: 16.5, avoidedCost: 2.75,
      potential: undefined, problems: [],
    });
    // The schedule alone: asleep 00:00-08:00 and 18:00-23:00 local, 13 of 23 hours.
    assert.deepEqual(env.potential, { asleepHours: 13, asleepPercent: 56.5, avoidedCpuCoreHours: 28.6, avoidedMemoryGiBHours: 19.5, avoidedCost: 3.25 });
    assert.deepEqual(report.environments[1]?.problems, ['no sleep ledger yet: the sleeper writes one at its next pass']);
    assert.equal(report.environments[1]?.potential, null);
    assert.deepEqual(report.owners.map((o) => [o.owner, o.environments, o.avoidedCpuCoreHours]), [['alice', 1, 24.2], ['bob', 1, 0]]);
    assert.equal(report.totals.environments, 2);
    assert.equal(report.totals.avoidedCost, 2.75);
    assert.equal(report.totals.asleepPercent, 47.8);
    assert.equal(report.totals.potential.avoidedCpuCoreHours, 28.6);
    assert.equal(report.since, '2026-01-11T22:00:00.000Z');
    assert.equal(report.until, '2026-01-12T22:00:00.000Z');
  });

  it('the potential counts the namespace\'s holidays and pre-warm', () => {
    const holiday = environment('alice-env', 'alice', { 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00', 't-env.dev/timezone': BERLIN, 't-env.dev/holidays': '2026-01-12' }, alice.workloads);
    assert.equal(savingsReport([holiday], period, {}).environments[0]?.potential?.asleepHours, 23);
    const prewarm = environment('alice-env', 'alice', { 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00', 't-env.dev/timezone': BERLIN, 't-env.dev/prewarm-minutes': '30' }, alice.workloads);
    assert.equal(savingsReport([prewarm], period, {}).environments[0]?.potential?.asleepHours, 12.5);
  });

  it('leaves cost out without prices, and refuses periods the ledger does not keep and bad prices', () => {
    assert.equal(savingsReport([alice], period, {}).environments[0]?.avoidedCost, null);
    assert.throws(() => checkReportDays(36), InvalidInputError);
    assert.throws(() => checkReportDays(0), InvalidInputError);
    assert.throws(() => savingsReport([alice], period, { cpuCoreHour: -1 }), /Invalid CPU core-hour price "-1"/);
  });

  it('prints one CSV row per environment and a total', () => {
    const csv = savingsCsv(savingsReport([alice], period, { cpuCoreHour: 0.1 }));
    const lines = csv.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^name,owner,awakeHours,asleepHours,asleepPercent,/);
    assert.equal(lines[1], 'alice-env,alice,12,11,47.8,11,0,0,1,0,2.2,1.5,24.2,16.5,2.42,13,28.6,19.5,2.86');
    assert.match(lines[2]!, /^TOTAL,,12,11,47.8,/);
  });
});

describe('tree texts', () => {
  it('an asleep workload says what it wakes to; anything else keeps its counts', () => {
    assert.equal(asleepWorkloadText(workload('1', '1Gi', 0, { annotations: { 't-env.dev/replicas-before-sleep': '2' } })), 'asleep · wakes to 2');
    assert.equal(asleepWorkloadText(workload('1', '1Gi', 1, { annotations: { 't-env.dev/replicas-before-sleep': '2' } })), undefined, 'woken by hand');
    assert.equal(asleepWorkloadText(workload('1', '1Gi', 2)), undefined);
    assert.equal(asleepWorkloadText(cronJobInfo({ metadata: { name: 'c', annotations: { 't-env.dev/replicas-before-sleep': 'false' } }, spec: { suspend: true } }, [])), undefined);
  });

  it('the environment tooltip says how much of the last 7 days it slept and the core-hours that avoided', () => {
    const ledger = serializeLedger(recordTransition(undefined, { state: 'asleep', cause: 'schedule', at: new Date('2026-01-11T23:00:00Z') }, BERLIN)!);
    const env = environment('e', 'alice', { 't-env.dev/timezone': BERLIN, [ANNOTATION_SLEEP_LEDGER]: ledger }, [workload('2', '1Gi', 0, { annotations: { 't-env.dev/replicas-before-sleep': '1' } })]);
    // Asleep since Monday's local midnight; Monday 18:00 local: 18 h × 2 cores.
    assert.equal(recentSavingsText(env, new Date('2026-01-12T17:00:00Z')), 'asleep 100 % of the last 7 days · 36 core-h avoided');
    assert.equal(recentSavingsText(environment('f', 'bob', {}, []), new Date('2026-01-12T17:00:00Z')), undefined);
  });

  it('reads as the issue has it for a day of schedule: 64 % asleep, 41 core-h', () => {
    const ledger = ledgerOf([
      { state: 'asleep', cause: 'schedule', at: new Date('2026-01-11T23:00:00Z') },
      { state: 'awake', cause: 'schedule', at: new Date('2026-01-12T09:00:00Z') },
      { state: 'asleep', cause: 'schedule', at: new Date('2026-01-12T18:00:00Z') },
    ]);
    const env = environment('e', 'alice', { 't-env.dev/timezone': BERLIN, [ANNOTATION_SLEEP_LEDGER]: ledger }, [workload('2560m', '1Gi', 1)]);
    // Until Tuesday 01:00 local: asleep 10 + 6 h, awake 9 h = 64 %; 2.56 cores × 16 h = 40.96 core-h.
    assert.equal(recentSavingsText(env, new Date('2026-01-13T00:00:00Z')), 'asleep 64 % of the last 7 days · 41 core-h avoided');
    const small = environment('s', 'alice', { 't-env.dev/timezone': BERLIN, [ANNOTATION_SLEEP_LEDGER]: ledger }, [workload('300m', '1Gi', 1)]);
    assert.equal(recentSavingsText(small, new Date('2026-01-13T00:00:00Z')), 'asleep 64 % of the last 7 days · 4.8 core-h avoided', 'under 10 keeps its decimals');
  });
});
