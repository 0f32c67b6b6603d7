// `t report` over many environments, after the lists: every environment with a full 35-day sleep
// ledger (two transitions a day) and 20 workloads with requests. The baseline is only
// JSON.parse of the same ledger annotations, the least any report must do.
import { environmentInfo, scalableInfo } from '../src/core/environment.ts';
import { savingsReport } from '../src/core/savings.ts';
import type { SavingsInput } from '../src/core/savings.ts';
import { ANNOTATION_SLEEP_LEDGER, recordTransition, serializeLedger } from '../src/core/sleep-ledger.ts';
import type { SleepLedger } from '../src/core/sleep-ledger.ts';
import { median, round } from './stats.ts';

const DAY = 86_400_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];

function inputs(environments: number, workloads: number, until: Date): SavingsInput[] {
  const zone = 'Europe/Berlin';
  let ledger: SleepLedger | undefined;
  for (let day = 35; day >= 0; day--) {
    const midnight = until.getTime() - day * DAY;
    ledger = recordTransition(ledger, { state: 'awake', cause: day % 5 === 0 ? 'manual' : 'schedule', at: new Date(midnight - 16 * 3_600_000) }, zone) ?? ledger;
    ledger = recordTransition(ledger, { state: 'asleep', cause: 'schedule', at: new Date(midnight - 6 * 3_600_000) }, zone) ?? ledger;
  }
  const text = serializeLedger(ledger!);
  const template = { spec: { containers: [{ resources: { requests: { cpu: '250m', memory: '512Mi' } } }] } };
  return Array.from({ length: environments }, (_, i) => environmentInfo({
    metadata: {
      name: `env-${i}`, labels: { 't-env.dev/owner': `dev-${i % 40}` },
      // Teams share a few zones and schedules: 3 zones × 12 schedules here.
      annotations: { 't-env.dev/timezone': ZONES[i % 3]!, 't-env.dev/awake-hours': `Mon-Fri ${String(6 + (i % 12)).padStart(2, '0')}:00-20:00`, [ANNOTATION_SLEEP_LEDGER]: text },
    },
  }, Array.from({ length: workloads }, (_, w) => scalableInfo('Deployment', { metadata: { name: `w${w}`, namespace: `env-${i}` }, spec: { replicas: 2, template } }, []))));
}

export function benchSavingsReport(environments: number, workloads: number, runs: number): { reportMs: number; parseMs: number; ratio: number; ledgerChars: number } {
  const until = new Date('2026-12-02T12:00:00Z');
  const data = inputs(environments, workloads, until);
  const time = (work: () => void): number => median(Array.from({ length: runs }, () => {
    const started = performance.now();
    work();
    return performance.now() - started;
  }));
  const reportMs = time(() => savingsReport(data, { days: 35, until }, { cpuCoreHour: 0.03, gibHour: 0.004 }));
  const parseMs = time(() => { for (const input of data) JSON.parse(input.sleepLedger!); });
  return { reportMs: round(reportMs, 1), parseMs: round(parseMs, 2), ratio: round(reportMs / Math.max(parseMs, 0.01), 1), ledgerChars: data[0]!.sleepLedger!.length };
}
