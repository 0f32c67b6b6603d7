// `t report` on the real local control plane: the sleeper records a Monday with a clock the test
// controls, on workloads with known requests; the report's figures follow from them exactly. Then
// the CLI as a user runs it (JSON and CSV), whose period ends at the real now.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { runCli } from '../fixtures/cli.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { loadEnvironments } from '../../src/adapters/environments.ts';
import { reconcileAll } from '../../src/adapters/sleeper.ts';
import { savingsReport } from '../../src/core/savings.ts';
import type { SavingsReport } from '../../src/core/savings.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `report-it-${run}`;
const name = `report-it-${run}`;
const other = `report-it-${run}-other`;

function template(app: string, cpu: string, memory: string): k8s.V1PodTemplateSpec {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example/${app}:1`, resources: { requests: { cpu, memory } } }] } };
}

async function createEnvironment(namespace: string, ownerLabel: string): Promise<void> {
  await core.createNamespace({ body: { metadata: {
    name: namespace, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': ownerLabel },
    annotations: { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00' },
  } } });
  const selector = (app: string): k8s.V1LabelSelector => ({ matchLabels: { app } });
  await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'api' }, spec: { replicas: 2, selector: selector('api'), template: template('api', '250m', '512Mi') } } });
  await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name: 'db' }, spec: { replicas: 1, serviceName: 'db', selector: selector('db'), template: template('db', '1', '2Gi') } } });
  // Never slept: its requests avoid nothing.
  await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'keep', annotations: { 't-env.dev/sleep': 'never' } }, spec: { replicas: 1, selector: selector('keep'), template: template('keep', '8', '16Gi') } } });
}

after(async () => {
  await Promise.all([name, other].map((n) => core.deleteNamespace({ name: n }).catch(() => undefined)));
});

describe('t report', () => {
  before(async () => {
    await Promise.all([createEnvironment(name, owner), createEnvironment(other, `${owner}-b`)]);
    // Monday 2026-01-12 in UTC: asleep from midnight, woken at 08:00, asleep again at 18:00.
    for (const iso of ['2026-01-12T00:00:00Z', '2026-01-12T08:00:00Z', '2026-01-12T18:00:00Z']) {
      await reconcileAll(admin, { selector: 't-env.dev/environment=true', include: (n) => n === name, now: new Date(iso) });
    }
  });

  it('figures follow from the ledger and the requests: 1.5 cores and 3 GiB asleep for 10 hours', async () => {
    const inputs = (await loadEnvironments(admin)).filter((e) => e.name === name);
    const report = savingsReport(inputs, { days: 1, until: new Date('2026-01-12T20:00:00Z') }, { cpuCoreHour: 0.04, gibHour: 0.005 });
    const env = report.environments[0]!;
    assert.deepEqual({ awake: env.awakeHours, asleep: env.asleepHours, percent: env.asleepPercent, requests: env.requests }, { awake: 10, asleep: 10, percent: 50, requests: { cpuCores: 1.5, memoryGiB: 3 } });
    assert.deepEqual(env.wakesByTrigger, { schedule: 1, manual: 0, dev: 0 });
    assert.deepEqual(env.asleepHoursByCause, { schedule: 10, manual: 0, dev: 0 });
    assert.deepEqual([env.avoidedCpuCoreHours, env.avoidedMemoryGiBHours, env.avoidedCost], [15, 30, 0.75]);
    assert.deepEqual(env.potential, { asleepHours: 10, asleepPercent: 50, avoidedCpuCoreHours: 15, avoidedMemoryGiBHours: 30, avoidedCost: 0.75 });
    assert.deepEqual(env.problems, []);
  });

  it('the CLI prints the same shape as JSON for one owner, every owner with --all, and CSV', async () => {
    const kubeEnv = { KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: owner };
    const json = await runCli(['report', '--json', '--since', '3d', '--cpu-core-hour-price', '0.04'], kubeEnv);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as SavingsReport;
    assert.deepEqual(report.environments.map((e) => e.name), [name], 'mine only by default');
    const env = report.environments[0]!;
    // Asleep ever since that Monday: every second of the last three days is asleep by schedule.
    assert.equal(env.awakeHours, 0);
    assert.equal(env.asleepPercent, 100);
    assert.ok(env.asleepHours > 48 && env.asleepHours <= 72, String(env.asleepHours));
    assert.ok(Math.abs(env.avoidedCpuCoreHours - env.asleepHours * 1.5) < 0.02);
    assert.ok(Math.abs((env.avoidedCost ?? NaN) - env.avoidedCpuCoreHours * 0.04) < 0.02);
    assert.deepEqual(Object.keys(env).sort(), ['asleepHours', 'asleepHoursByCause', 'asleepPercent', 'avoidedCost', 'avoidedCpuCoreHours', 'avoidedMemoryGiBHours', 'awakeHours', 'awakeHoursByCause', 'name', 'owner', 'potential', 'problems', 'requests', 'timezone', 'wakesByTrigger']);
    assert.equal(report.totals.environments, 1);
    const all = JSON.parse((await runCli(['report', '--all', '--json'], kubeEnv)).stdout) as SavingsReport;
    assert.ok([name, other].every((n) => all.environments.some((e) => e.name === n)));
    assert.match(all.environments.find((e) => e.name === other)?.problems.join() ?? '', /no sleep ledger yet/);
    const csv = await runCli(['report', '--env', name, '--csv'], kubeEnv);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines[1]!.startsWith(`${name},${owner},0,`), lines[1]);
    const text = await runCli(['report', '--env', name, '--gib-hour-price', '0.01'], kubeEnv);
    assert.equal(text.code, 0, text.stderr);
    const rows = text.stdout.trimEnd().split('\n');
    assert.match(rows[1]!, /^NAME +OWNER +AWAKE +ASLEEP +ASLEEP % +CORE-H +GIB-H +COST +WAKES S\/M\/D +SCHEDULE WOULD GIVE$/);
    assert.ok(rows[2]!.startsWith(`${name}  ${owner}  `), rows[2]);
    assert.match(rows[3]!, /^TOTAL +1 owners +0\.0 h +\d+\.\d h +100 % /);
    const bad = await runCli(['report', '--since', '40d'], kubeEnv);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid period of 40 days/);
  });
});
