// `npm run bench`: every performance scenario of T-Env against the local control plane, printed as
// a table and written with the raw figures, the machine and the versions to bench/results.json.
//   --smoke   small sizes and few runs (CI runs this so the bench cannot rot; no timing asserted)
// Uses the cluster of T_ENV_CLUSTER_DIR when set (scripts/with-cluster.ts), else starts its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { attachCluster, startCluster } from '../test/cluster/cluster.ts';
import type { LocalCluster } from '../test/cluster/cluster.ts';
import { loadKubeConfig } from '../src/adapters/kube.ts';
import { benchActivation } from './activation.ts';
import { benchAwakeHours } from './awake-hours.ts';
import { benchBaselineCopy } from './baseline.ts';
import { benchLogPipeline, benchLogsEndToEnd } from './logs-pipeline.ts';
import { benchOverlayCreate, benchOverlayPlan } from './overlay.ts';
import { benchOktetoStateLatency, benchSpawnLatency } from './okteto-status.ts';
import { benchSavingsReport } from './savings.ts';
import { ensureScaleFixture } from './scale-fixture.ts';
import { benchSleeperPass, benchWake } from './sleep.ts';
import { benchChangeCost, benchChangeLatency, benchFirstLoad } from './tree.ts';
import pkg from '../package.json' with { type: 'json' };

const smoke = process.argv.includes('--smoke');
const size = smoke
  ? { environments: 10, workloads: 20, wakeWorkloads: 40, firstLoadRuns: 2, changeSamples: 5, runs: 2 }
  : { environments: 300, workloads: 20, wakeWorkloads: 40, firstLoadRuns: 5, changeSamples: 30, runs: 7 };
const root = path.resolve(import.meta.dirname, '..');

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

interface Row { scenario: string; figure: string; baseline: string; target: string }
const rows: Row[] = [];
const raw: Record<string, unknown> = {};

async function scenario<T>(name: string, run: () => Promise<T> | T, row: (r: T) => Omit<Row, 'scenario'>): Promise<void> {
  log(`${name}…`);
  const started = performance.now();
  try {
    const result = await run();
    raw[name] = result;
    rows.push({ scenario: name, ...row(result) });
    log(`${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    raw[name] = { error: message };
    rows.push({ scenario: name, figure: `FAILED: ${message.split('\n')[0]!.slice(0, 80)}`, baseline: '', target: '' });
    process.exitCode = 1;
  }
}

/**
 * The headline numbers as plain fields (issue #20), read from the scenarios' own results; a
 * scenario that failed or did not run leaves its fields out.
 */
function summary(): Record<string, unknown> {
  const find = <T>(prefix: string): T | undefined => {
    const entry = Object.entries(raw).find(([name, value]) => name.startsWith(prefix) && !(value as { error?: string }).error);
    return entry?.[1] as T | undefined;
  };
  const wake = find<{ parallelRoundTrips: number; extensionRoundTrips: number; floorRoundTrips: number }>('wake ');
  const pass = find<{ sleep: { ms: number }; limit: { ms: number }; ratioToLimit: number }>('sleeper pass');
  const logs = find<{ ratio: number }>('logs end to end');
  return {
    ...(wake ? { wake: { roundTrips: { extension: wake.extensionRoundTrips, cli: wake.parallelRoundTrips, floor: wake.floorRoundTrips } } } : {}),
    ...(pass ? { sleeper: { sleepPassMs: pass.sleep.ms, limitMs: pass.limit.ms, ratioToLimit: pass.ratioToLimit } } : {}),
    ...(logs ? { logs: { ratioToKubectl: logs.ratio } } : {}),
  };
}

function table(): string {
  const header: Row = { scenario: 'scenario', figure: 'T-Env', baseline: 'baseline / ratio', target: 'target' };
  const all = [header, ...rows];
  const w = (k: keyof Row): number => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row): string => `| ${r.scenario.padEnd(w('scenario'))} | ${r.figure.padEnd(w('figure'))} | ${r.baseline.padEnd(w('baseline'))} | ${r.target.padEnd(w('target'))} |`;
  return [line(header), `|${'-'.repeat(w('scenario') + 2)}|${'-'.repeat(w('figure') + 2)}|${'-'.repeat(w('baseline') + 2)}|${'-'.repeat(w('target') + 2)}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  let own: LocalCluster | undefined;
  const cluster = process.env['T_ENV_CLUSTER_DIR'] ? attachCluster() : (own = await startCluster());
  try {
    const session = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    const fixture = await ensureScaleFixture(session.kc, size.environments, size.workloads, log);
    raw['fixture'] = fixture;
    log(`fixture: ${size.environments} environments × ${size.workloads} workloads, ${fixture.pods} pods (${fixture.createSeconds.toFixed(1)} s to create and settle)`);

    await scenario(`first tree load, ${size.environments}×${size.workloads}`, () => benchFirstLoad(session, size.firstLoadRuns),
      (r) => ({ figure: `median ${r.medianMs} ms, p95 ${r.p95Ms} ms, +${r.heapMb} MB heap`, baseline: `${r.environments} envs, ${r.workloads} workloads`, target: '≤ 2 s, ≤ 200 MB' }));
    await scenario('cluster change → tree model', () => benchChangeLatency(session, fixture.environments[0]!, `job-${size.workloads - 1}`, size.changeSamples),
      (r) => ({ figure: `median ${r.informer.medianMs} ms, p95 ${r.informer.p95Ms} ms`, baseline: `re-list: median ${r.relist.medianMs} ms (${r.ratio}× slower)`, target: 'p95 ≤ 250 ms' }));
    await scenario('one change: rebuild one env vs all', () => benchChangeCost(session, size.changeSamples),
      (r) => ({ figure: `${r.oneEnvironmentUs} µs`, baseline: `all: ${r.allEnvironmentsUs} µs (${r.ratio}×)`, target: 'proportional to the change' }));
    await scenario(`wake ${size.wakeWorkloads} workloads`, () => benchWake(session, { workloads: size.wakeWorkloads, runs: size.runs, log }),
      (r) => ({
        figure: `extension ${r.extensionMs} ms (${r.extensionRoundTrips} round trips), CLI ${r.parallelMs} ms (${r.parallelRoundTrips})`,
        baseline: `bare patches only ${r.floorMs} ms (${r.floorRoundTrips}); one by one ${r.sequentialMs} ms (${r.ratio}×), naive ${r.naiveMs} ms (${r.naiveRatio}×)`, target: 'extension ≤ 2.5, CLI ≤ 3.5 round trips',
      }));
    await scenario(`sleeper pass, ${size.environments} envs`, () => benchSleeperPass(session, { environments: size.environments, workloadsPerEnvironment: size.workloads, log }),
      (r) => ({
        figure: `sleep ${(r.sleep.ms / 1000).toFixed(2)} s / ${r.sleep.requests} req (${r.sleep.lists} lists, ${r.sleep.patches} patches)`,
        baseline: `bare-patch limit ${(r.limit.ms / 1000).toFixed(2)} s at ${r.limit.concurrency} in flight (${r.ratioToLimit}×); steady ${r.steady.ms} ms / ${r.steady.requests} req; wake ${(r.wake.ms / 1000).toFixed(2)} s`,
        target: '≤ 1.3× the limit, 1 list/kind + 1 patch/change',
      }));
    await scenario(`create from a ${smoke ? 5 : 50}-workload baseline`, () => benchBaselineCopy(session, { workloads: smoke ? 5 : 50, runs: smoke ? 1 : 3, log }),
      (r) => ({ figure: `median ${r.create.medianMs} ms for ${r.objects} objects (${r.create.lists} lists, ${r.create.writes} applies)`, baseline: `in-sync diff ${r.diffMs} ms; refresh ${r.refresh.medianMs} ms, ${r.refresh.writes} writes`, target: '≤ 1.5 s; refresh lists only, ≤ 300 ms' }));
    await scenario(`overlay plan, ${smoke ? 20 : 200}-workload dense graph`, () => benchOverlayPlan(smoke ? 20 : 200, smoke ? 3 : 15),
      (r) => ({ figure: `median ${r.cpuMedianMs} ms CPU after the lists`, baseline: `${r.workloads} workloads, ${r.calls} calls`, target: '≤ 50 ms' }));
    await scenario(`overlay of 3 from a ${smoke ? 20 : 200}-workload baseline`, () => benchOverlayCreate(session, smoke ? 20 : 200),
      (r) => ({ figure: `created in ${r.createMs} ms (${r.applied} objects)`, baseline: `${r.overlayPods} pods vs ${r.fullCopyPods} for a full copy`, target: '≤ 1 s; report pods' }));
    await scenario('log pipeline', () => benchLogPipeline(),
      (r) => ({ figure: `${Math.round(r.linesPerSecond / 1000)}k lines/s; max stall ${r.maxEventLoopStallMs} ms at ${r.arrivalLinesPerSecond} lines/s`, baseline: `max pipeline work ${r.maxPipelineWorkMs} ms`, target: '≥ 100k lines/s, stall < 20 ms' }));
    await scenario('logs end to end', () => benchLogsEndToEnd(cluster),
      (r) => ({ figure: `${Math.round(r.streamLinesPerSecond)} lines/s`, baseline: `kubectl logs -f ${Math.round(r.kubectlLinesPerSecond)} lines/s (ratio ${r.ratio})`, target: 'report' }));
    await scenario('okteto state → status', () => benchOktetoStateLatency(smoke ? 10 : 50),
      (r) => ({ figure: `median ${r.medianMs} ms, p95 ${r.p95Ms} ms`, baseline: `${r.samples} writes`, target: '≤ 100 ms' }));
    await scenario('Start Dev → okteto spawned', () => benchSpawnLatency(smoke ? 5 : 20),
      (r) => ({ figure: `median ${r.medianMs} ms, p95 ${r.p95Ms} ms`, baseline: `${r.samples} spawns`, target: '≤ 150 ms' }));
    await scenario('awake hours, hostile annotation', () => benchAwakeHours(smoke ? 5 : 51),
      (r) => ({ figure: `1 KB worst case ${r.capUs} µs; 100 KB refused in ${r.hugeUs} µs`, baseline: `old regex: 1 KB ${r.oldCapUs} µs (${r.ratio}×), 10 KB ${r.old10kUs} µs`, target: 'linear; ≤ 1 ms whatever the size' }));
    await scenario('t report, after the lists', () => benchSavingsReport(size.environments, size.workloads, smoke ? 3 : 11),
      (r) => ({ figure: `${size.environments} envs × 35 days × ${size.workloads} workloads: ${r.reportMs} ms`, baseline: `JSON.parse of the ledgers (${r.ledgerChars} chars each) ${r.parseMs} ms (${r.ratio}×)`, target: '≤ 200 ms (300 environments)' }));
    await scenario('activation and bundles', () => benchActivation(smoke ? 3 : 10),
      (r) => ({ figure: `extension.js ${r.extensionKb} KB, require ${r.extensionRequireMs} ms`, baseline: `runtime.js ${r.runtimeKb} KB, require ${r.runtimeRequireMs} ms (deferred)`, target: 'activation ≤ 30 ms' }));
  } finally {
    await own?.stop();
  }
  const output = table();
  process.stdout.write(`${output}\n`);
  const versions = {
    tenv: pkg.version, node: process.version,
    kubernetes: 'v1.37.2', etcd: 'v3.6.16', kwok: 'v0.8.0',
    kubectl: (() => { try { return execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' }).match(/"gitVersion":\s*"([^"]+)"/)?.[1]; } catch { return undefined; } })(),
  };
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` };
  const file = path.join(root, 'bench', smoke ? 'results.smoke.json' : 'results.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), smoke, size, machine, versions, summary: summary(), table: output, results: raw }, null, 2) + '\n');
  log(`wrote ${path.relative(root, file)}`);
}

await main();
