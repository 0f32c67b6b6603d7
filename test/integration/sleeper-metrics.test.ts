// The sleeper's metrics endpoint on the real local control plane, with a clock the test controls:
// sleeper passes over environments whose workloads have known requests, then /metrics scraped
// over HTTP and read by Prometheus' own text parser and promtool's linter (test/cluster/go/promcheck).
// Last, the Grafana dashboard's queries through Prometheus' PromQL parser, against what was scraped.
// 2026-01-12 is a Monday; the environments keep UTC and Mon-Fri 08:00-18:00.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { checkMetrics, checkPromQL, promcheckPath } from '../cluster/promcheck.ts';
import type { PromCheck, PromSample } from '../cluster/promcheck.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import type { KubeSession } from '../../src/adapters/kube.ts';
import { wakeEnvironment } from '../../src/adapters/sleep.ts';
import { runSleeper } from '../../src/adapters/sleeper.ts';
import { SleeperMetrics, serveMetrics } from '../../src/adapters/sleeper-metrics.ts';
import type { MetricsServer } from '../../src/adapters/sleeper-metrics.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const admin: KubeSession = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `metrics-it-${run}`;
const sleepy = `metrics-it-${run}`;
const unscheduled = `metrics-it-${run}-none`;
const corrupt = `metrics-it-${run}-bad`;
const names = [sleepy, unscheduled, corrupt];
const H = 3600;

function template(app: string, cpu: string, memory: string): k8s.V1PodTemplateSpec {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example/${app}:1`, resources: { requests: { cpu, memory } } }] } };
}

async function createEnvironment(namespace: string, annotations: Record<string, string>): Promise<void> {
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': owner }, annotations } } });
  const selector = (app: string): k8s.V1LabelSelector => ({ matchLabels: { app } });
  // Asleep: 2 × (250m, 512Mi) + 1 × (1, 2Gi) = 1.5 cores and 3 GiB; `keep` never sleeps.
  await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'api' }, spec: { replicas: 2, selector: selector('api'), template: template('api', '250m', '512Mi') } } });
  await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name: 'db' }, spec: { replicas: 1, serviceName: 'db', selector: selector('db'), template: template('db', '1', '2Gi') } } });
  await apps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'keep', annotations: { 't-env.dev/sleep': 'never' } }, spec: { replicas: 1, selector: selector('keep'), template: template('keep', '8', '16Gi') } } });
}

/** One sleeper pass at `iso` through the CLI's runner, instrumented as `t sleeper --metrics-port` does. */
async function pass(metrics: SleeperMetrics, iso: string): Promise<void> {
  const last = await runSleeper(admin, metrics.instrument({ intervalMs: 60_000, once: true, events: false, include: (n: string) => names.includes(n), clock: () => new Date(iso) }));
  assert.equal(last?.environments.length, 3);
}

async function scrape(server: MetricsServer): Promise<PromCheck> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return checkMetrics(await response.text());
}

function samples(check: PromCheck, name: string): readonly PromSample[] {
  const family = check.families.find((f) => f.name === name);
  assert.ok(family, `${name} is exposed`);
  return family.samples;
}

/** The value of the one sample of `name` whose labels include `labels`. */
function value(check: PromCheck, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = samples(check, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(matching.length <= 1, `one ${name} sample for ${JSON.stringify(labels)}`);
  return matching[0]?.value;
}

const byState = (check: PromCheck): Record<string, number | undefined> => Object.fromEntries(['awake', 'asleep', 'unscheduled', 'problem'].map((state) => [state, value(check, 'tenv_sleeper_environments', { state })]));
const envLabels = { namespace: sleepy, owner };

after(async () => {
  await Promise.all(names.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe('sleeper metrics endpoint', () => {
  const metrics = new SleeperMetrics();
  let server: MetricsServer | undefined;

  before(async () => {
    promcheckPath(); // built (or found in the cache) before any clock matters
    await Promise.all([
      createEnvironment(sleepy, { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00' }),
      createEnvironment(unscheduled, {}),
      // A schedule without its zone is corrupt: left alone, reported.
      createEnvironment(corrupt, { 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00' }),
    ]);
    server = await serveMetrics(metrics.registry, 0, '127.0.0.1');
  });

  after(async () => { await server?.close(); });

  it('before any pass: states and errors at zero, no per-environment series, and the text passes promtool\'s lint', async () => {
    const check = await scrape(server!);
    assert.deepEqual(check.problems, []);
    assert.deepEqual(byState(check), { awake: 0, asleep: 0, unscheduled: 0, problem: 0 });
    assert.equal(value(check, 'tenv_sleeper_errors_total', { kind: 'pass' }), 0);
    assert.equal(value(check, 'tenv_sleeper_errors_total', { kind: 'environment' }), 0);
    assert.equal(samples(check, 'tenv_sleeper_pass_duration_seconds')[0]?.count, 0);
    // The parser drops families without samples: nothing per environment yet.
    assert.deepEqual(check.families.map((f) => f.name), ['tenv_sleeper_environments', 'tenv_sleeper_errors_total', 'tenv_sleeper_last_pass_timestamp_seconds', 'tenv_sleeper_pass_duration_seconds']);
  });

  it('a pass that puts an environment to sleep: states, the asleep gauge and the patches it made', async () => {
    await pass(metrics, '2026-01-12T17:00:00Z'); // awake by schedule: the ledger starts (one namespace patch)
    let check = await scrape(server!);
    assert.deepEqual(byState(check), { awake: 1, asleep: 0, unscheduled: 1, problem: 1 });
    assert.equal(value(check, 'tenv_sleeper_environment_asleep', envLabels), 0);
    assert.equal(value(check, 'tenv_sleeper_patches_total', { resource: 'namespaces' }), 1);

    await pass(metrics, '2026-01-12T18:00:00Z'); // asleep by schedule: the ledger, then api and db (keep never sleeps)
    check = await scrape(server!);
    assert.deepEqual(check.problems, []);
    assert.deepEqual(Object.fromEntries(check.families.map((f) => [f.name, f.type])), {
      tenv_sleeper_avoided_cpu_core_seconds_total: 'COUNTER', tenv_sleeper_avoided_memory_gib_seconds_total: 'COUNTER',
      tenv_sleeper_environment_asleep: 'GAUGE', tenv_sleeper_environments: 'GAUGE', tenv_sleeper_errors_total: 'COUNTER',
      tenv_sleeper_last_pass_timestamp_seconds: 'GAUGE', tenv_sleeper_pass_duration_seconds: 'HISTOGRAM', tenv_sleeper_patches_total: 'COUNTER',
    });
    assert.deepEqual(byState(check), { awake: 0, asleep: 1, unscheduled: 1, problem: 1 });
    assert.equal(value(check, 'tenv_sleeper_environment_asleep', envLabels), 1);
    assert.equal(value(check, 'tenv_sleeper_environment_asleep', { namespace: unscheduled, owner }), 0);
    assert.equal(value(check, 'tenv_sleeper_patches_total', { resource: 'namespaces' }), 2);
    assert.equal(value(check, 'tenv_sleeper_patches_total', { resource: 'deployments' }), 1);
    assert.equal(value(check, 'tenv_sleeper_patches_total', { resource: 'statefulsets' }), 1);
    assert.equal(value(check, 'tenv_sleeper_avoided_cpu_core_seconds_total', envLabels), 0, 'nothing slept yet');
    // The corrupt environment has a problem in every pass; no pass failed.
    assert.equal(value(check, 'tenv_sleeper_errors_total', { kind: 'environment' }), 2);
    assert.equal(value(check, 'tenv_sleeper_errors_total', { kind: 'pass' }), 0);
    const duration = samples(check, 'tenv_sleeper_pass_duration_seconds')[0]!;
    assert.equal(duration.count, 2);
    assert.ok(duration.sum! > 0 && duration.sum! < 60, `pass durations sum to ${duration.sum} s`);
    assert.equal(duration.buckets?.at(-1)?.upperBound, Infinity);
  });

  it('avoided core- and GiB-seconds follow the requests that slept and the time asleep, manual wakes included', async () => {
    await pass(metrics, '2026-01-12T20:30:00Z'); // 2.5 h asleep
    let check = await scrape(server!);
    assert.equal(value(check, 'tenv_sleeper_avoided_cpu_core_seconds_total', envLabels), 1.5 * 2.5 * H);
    assert.equal(value(check, 'tenv_sleeper_avoided_memory_gib_seconds_total', envLabels), 3 * 2.5 * H);
    assert.equal(value(check, 'tenv_sleeper_avoided_cpu_core_seconds_total', { namespace: unscheduled, owner }), 0);
    assert.equal(value(check, 'tenv_sleeper_patches_total', { resource: 'deployments' }), 1, 'a steady pass patches nothing');

    // Woken by hand at 21:00 (recorded on the ledger, not by the sleeper), for two hours.
    await wakeEnvironment(admin, sleepy, { now: new Date('2026-01-12T21:00:00Z'), forMs: 2 * H * 1000, minimumHours: 0, actor: { user: 'alice', via: 'the CLI' } });
    await pass(metrics, '2026-01-12T22:00:00Z');
    check = await scrape(server!);
    assert.equal(value(check, 'tenv_sleeper_avoided_cpu_core_seconds_total', envLabels), 1.5 * 3 * H, 'half an hour more, until the wake');
    assert.equal(value(check, 'tenv_sleeper_avoided_memory_gib_seconds_total', envLabels), 3 * 3 * H);
    assert.equal(value(check, 'tenv_sleeper_environment_asleep', envLabels), 0);
    assert.deepEqual(byState(check), { awake: 1, asleep: 0, unscheduled: 1, problem: 1 });
    assert.deepEqual(check.problems, []);
  });

  it('an environment that is gone loses its series; other paths are 404; closing stops the server', async () => {
    await core.deleteNamespace({ name: corrupt });
    // A terminating namespace is no longer an environment for the sleeper.
    const last = await runSleeper(admin, metrics.instrument({ intervalMs: 60_000, once: true, events: false, include: (n: string) => names.includes(n), clock: () => new Date('2026-01-12T22:01:00Z') }));
    assert.deepEqual(last?.environments.map((e) => e.name), [sleepy, unscheduled]);
    const check = await scrape(server!);
    assert.equal(value(check, 'tenv_sleeper_environment_asleep', { namespace: corrupt }), undefined);
    assert.equal(value(check, 'tenv_sleeper_avoided_cpu_core_seconds_total', { namespace: corrupt }), undefined);
    assert.deepEqual(byState(check), { awake: 1, asleep: 0, unscheduled: 1, problem: 0 });

    for (const path of ['/', '/metrics/x', '/favicon.ico']) {
      const response = await fetch(`http://127.0.0.1:${server!.port}${path}`);
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
    const post = await fetch(`http://127.0.0.1:${server!.port}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.arrayBuffer();
    // A keep-alive connection is open from the requests above: close must not wait for it.
    await server!.close();
    await assert.rejects(fetch(`http://127.0.0.1:${server!.port}/metrics`));
  });
});

describe('the Grafana dashboard (deploy/grafana) against Prometheus\' PromQL parser', () => {
  interface Panel { title: string; targets?: { expr: string }[]; panels?: Panel[] }
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'deploy', 'grafana', 't-env-sleeper.json');
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels: Panel[]; templating: { list: { query: { query: string } }[] } };
  const flat = (panels: readonly Panel[]): Panel[] => panels.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  /** As Grafana interpolates before it sends a query. */
  const interpolate = (expr: string): string => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '7d').replace(/\$\{?owner\}?/g, '.*');

  it('every query parses and reads only metrics a scrape of the sleeper holds', async () => {
    // One environment and one patch, so that every series exists (the parser drops empty families).
    const metrics = new SleeperMetrics();
    const hooks = metrics.instrument({ intervalMs: 1 });
    hooks.onListed([{ ns: { metadata: { name: 'jane', labels: { 't-env.dev/owner': 'jane' } } }, workloads: [] }], new Date());
    await hooks.hooks.afterRequest({ verb: 'patch', resource: 'deployments', namespace: 'jane', name: 'api' });
    hooks.onEvent({ type: 'pass', pass: { startedAt: new Date().toISOString(), durationMs: 1, requests: 0, environments: [{ name: 'jane', action: 'none', desired: 'asleep', changed: 0, skipped: [], problems: [] }] } });
    const scraped = checkMetrics(await metrics.registry.metrics()).families;
    assert.equal(scraped.length, metrics.registry.getMetricsAsArray().length, 'every family has samples');
    const exposed = new Set(scraped.flatMap((f) => (f.type === 'HISTOGRAM' ? ['_bucket', '_sum', '_count'].map((s) => f.name + s) : [f.name])));
    const exposes = (name: string): boolean => exposed.has(name);
    const queries = flat(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: interpolate(t.expr) })));
    // label_values(<selector>, <label>): its selector is PromQL.
    for (const v of dashboard.templating.list) queries.push({ where: 'a variable', expr: /^label_values\((.+),\s*\w+\)$/.exec(v.query.query)![1]! });
    const results = checkPromQL(queries.map((q) => q.expr));
    assert.ok(results.length >= 10);
    results.forEach((result, i) => {
      const { where, expr } = queries[i]!;
      assert.equal(result.error, undefined, `${where}: ${expr}`);
      assert.ok(result.metrics.length > 0, `${where} reads a metric`);
      for (const name of result.metrics) assert.ok(exposes(name), `${where} reads ${JSON.stringify(name)}, which the sleeper does not expose`);
    });
  });
});
