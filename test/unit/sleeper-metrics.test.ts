// The sleeper's metrics fed by hand-made listings and pass events (no cluster: the integration
// test, sleeper-metrics.test.ts, runs real passes): label values from the cluster are bounded,
// failed passes count and drop their listing, environments that are gone lose their series.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metricLabel, SleeperMetrics } from '../../src/adapters/sleeper-metrics.ts';
import type { EnvironmentResult, ListedEnvironment, SleeperEvent } from '../../src/adapters/sleeper.ts';

function listed(name: string, owner: string): ListedEnvironment {
  return { ns: { metadata: { name, labels: { 't-env.dev/owner': owner } } }, workloads: [] };
}

function result(name: string, desired: EnvironmentResult['desired'], problems: string[] = []): EnvironmentResult {
  return { name, action: 'none', desired, changed: 0, skipped: [], problems };
}

/** One pass as runSleeper reports it: the listing hook, then the pass event. */
function pass(metrics: SleeperMetrics, environments: ListedEnvironment[], results: EnvironmentResult[]): void {
  const hooks = metrics.instrument({ intervalMs: 1 });
  hooks.onListed(environments, new Date('2026-01-12T18:00:00Z'));
  hooks.onEvent({ type: 'pass', pass: { startedAt: '2026-01-12T18:00:00.000Z', durationMs: 250, requests: 5, environments: results } });
}

async function values(metrics: SleeperMetrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  assert.ok(metric, name);
  return metric.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

describe('sleeper metric labels', () => {
  it('keeps valid names and label values, and replaces anything else', () => {
    assert.equal(metricLabel('jane-dev'), 'jane-dev');
    assert.equal(metricLabel('Jane.Doe_1'), 'Jane.Doe_1');
    assert.equal(metricLabel(undefined), '(none)');
    assert.equal(metricLabel(''), '(none)');
    assert.equal(metricLabel('a'.repeat(64)), '(invalid)');
    assert.equal(metricLabel('evil"} 1\nfake_metric 2'), '(invalid)');
    assert.equal(metricLabel('\u001b]0;x\u0007'), '(invalid)');
    assert.equal(metricLabel('-leading'), '(invalid)');
  });
});

describe('sleeper metrics from pass events', () => {
  it('counts states and problems, bounds label values, and removes the series of environments that are gone', async () => {
    const metrics = new SleeperMetrics();
    pass(metrics, [listed('a', 'jane'), listed('b', 'x'.repeat(100)), listed('c', '')], [result('a', 'asleep'), result('b', 'awake'), result('c', undefined, ['t-env.dev/timezone is missing'])]);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_environments')).map((v) => [v.labels['state'], v.value]), [['awake', 1], ['asleep', 1], ['unscheduled', 0], ['problem', 1]]);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_environment_asleep')).map((v) => [v.labels['namespace'], v.labels['owner'], v.value]), [['a', 'jane', 1], ['b', '(invalid)', 0], ['c', '(none)', 0]]);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_errors_total')).map((v) => [v.labels['kind'], v.value]), [['pass', 0], ['environment', 1]]);

    // b is gone, c now has no schedule and no problem.
    pass(metrics, [listed('a', 'jane'), listed('c', '')], [result('a', 'asleep'), result('c', undefined)]);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_environment_asleep')).map((v) => v.labels['namespace']), ['a', 'c']);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_avoided_cpu_core_seconds_total')).map((v) => v.labels['namespace']), ['a', 'c']);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_environments')).map((v) => [v.labels['state'], v.value]), [['awake', 0], ['asleep', 1], ['unscheduled', 1], ['problem', 0]]);
    const histogram = await values(metrics, 'tenv_sleeper_pass_duration_seconds');
    assert.equal(histogram.find((v) => v.labels['le'] === 0.25)?.value, 2);
  });

  it('a failed pass counts and its listing is dropped; the given hooks still run', async () => {
    const metrics = new SleeperMetrics();
    const seen: string[] = [];
    const options = metrics.instrument({
      intervalMs: 1,
      onEvent: (event: SleeperEvent) => { seen.push(event.type); },
      onListed: (environments: readonly ListedEnvironment[]) => { seen.push(`listed ${environments.length}`); },
      hooks: { afterRequest: (request) => { seen.push(`${request.verb} ${request.resource}`); } },
    });
    options.onListed([listed('a', 'jane')], new Date('2026-01-12T18:00:00Z'));
    options.onEvent({ type: 'pass-failed', error: new Error('unreachable') });
    await options.hooks.afterRequest({ verb: 'patch', resource: 'deployments', namespace: 'a', name: 'api' });
    await options.hooks.afterRequest({ verb: 'list', resource: 'deployments', namespace: undefined, name: undefined });
    assert.deepEqual(seen, ['listed 1', 'pass-failed', 'patch deployments', 'list deployments']);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_errors_total')).map((v) => [v.labels['kind'], v.value]), [['pass', 1], ['environment', 0]]);
    assert.deepEqual((await values(metrics, 'tenv_sleeper_patches_total')).map((v) => [v.labels['resource'], v.value]), [['deployments', 1]]);
    // The next pass event has no listing of its own: nothing per environment is made up.
    options.onEvent({ type: 'pass', pass: { startedAt: '2026-01-12T18:01:00.000Z', durationMs: 100, requests: 5, environments: [result('a', 'asleep')] } });
    assert.deepEqual(await values(metrics, 'tenv_sleeper_environment_asleep'), []);
  });
});
