// deploy/grafana/t-env-sleeper.json against the metrics the sleeper really registers: every query
// (panels and variables) names only metrics from a live SleeperMetrics registry, every metric is
// shown somewhere, and the dashboard imports into a stock Grafana (a ${DS_PROMETHEUS} input that
// every data source reference uses, unique panel ids, no overlapping panels).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { METRIC_PREFIX, SleeperMetrics } from '../../src/adapters/sleeper-metrics.ts';

const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'deploy', 'grafana', 't-env-sleeper.json');

interface Target { expr?: string; datasource?: unknown; refId?: string }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: unknown; targets?: Target[]; panels?: Panel[] }
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid: string;
  id: unknown;
  panels: Panel[];
  templating: { list: { name: string; datasource?: unknown; definition?: string; query?: { query?: string } }[] };
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, aggregation
 * modifiers, label names (inside braces or after by/without/on/ignoring) or Grafana variables.
 */
function metricNamesIn(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // strings (label values, label_values args are not strings)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\$\{?\w+\}?/g, ' ') // Grafana variables
    .replace(/(?<![\w:])(?:\d+(?:ms|[smhdwy]))+(?![\w:])/g, ' ') // durations (offset 1h30m)
    .replace(/(?<![\w:])\d+(?:\.\d*)?(?:e[+-]?\d+)?/gi, ' '); // numbers (1e3 is no metric "e3")
  const names: string[] = [];
  for (const match of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const [whole, call] = [match[0], match[1]];
    const name = whole.replace(/\s*\($/, '');
    if (call !== undefined || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.push(name);
  }
  return names;
}

/** label_values(metric, label) → its metric, as the Prometheus variable editor reads it. */
function labelValuesMetric(query: string): string[] {
  const match = /^label_values\(\s*([^,]+?)\s*,\s*\w+\s*\)$/.exec(query.trim());
  assert.ok(match, `variable query ${query} is label_values(<selector>, <label>)`);
  return metricNamesIn(match[1]!);
}

const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as Dashboard;
const allPanels = (panels: readonly Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const panels = allPanels(dashboard.panels);
const registered = new Set(new SleeperMetrics().metricNames());
const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };

describe('the metric-name reader', () => {
  it('finds metric names and nothing else', () => {
    assert.deepEqual(metricNamesIn('sum by (owner) (rate(tenv_sleeper_x_total{owner=~"$owner", a="b{c}"}[$__rate_interval])) / 3600'), ['tenv_sleeper_x_total']);
    assert.deepEqual(metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(a_bucket[5m]))) / on(job) group_left b'), ['a_bucket', 'b']);
    assert.deepEqual(metricNamesIn('time() - max(tenv_sleeper_last_pass_timestamp_seconds offset 1h30m)'), ['tenv_sleeper_last_pass_timestamp_seconds']);
    assert.deepEqual(metricNamesIn('up == bool 1e3 and nope'), ['up', 'nope']);
  });
});

describe('Grafana dashboard (deploy/grafana)', () => {
  it('every query reads only metrics the sleeper registers, and every metric is on the dashboard', () => {
    const used = new Set<string>();
    let queries = 0;
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        assert.ok(target.expr, `panel "${panel.title}" ${target.refId ?? ''} has a PromQL expression`);
        const names = metricNamesIn(target.expr);
        assert.ok(names.length > 0, `panel "${panel.title}" reads a metric: ${target.expr}`);
        for (const name of names) {
          assert.ok(registered.has(name), `panel "${panel.title}" reads ${name}, which the sleeper does not register (it registers ${[...registered].join(', ')})`);
          used.add(name);
        }
        queries++;
      }
    }
    for (const variable of dashboard.templating.list) {
      for (const query of [variable.definition, variable.query?.query]) {
        for (const name of labelValuesMetric(query ?? '')) {
          assert.ok(registered.has(name), `variable $${variable.name} reads ${name}, which the sleeper does not register`);
        }
      }
    }
    assert.ok(queries >= 10, `${queries} queries`);
    // Histograms count once, by any of their series.
    const shown = new Set([...used].map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    for (const name of registered) {
      if (!name.startsWith(METRIC_PREFIX)) assert.fail(`${name} lacks the ${METRIC_PREFIX} prefix`);
      assert.ok(shown.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} is on no panel`);
    }
  });

  it('imports into a stock Grafana: one Prometheus input every data source refers to, unique ids, no overlaps', () => {
    assert.deepEqual(dashboard.__inputs.map((i) => [i.name, i.type, i.pluginId]), [['DS_PROMETHEUS', 'datasource', 'prometheus']]);
    assert.ok(dashboard.schemaVersion >= 39, `schemaVersion ${dashboard.schemaVersion}`);
    assert.equal(dashboard.id, null, 'no instance-specific id');
    assert.match(dashboard.uid, /^[A-Za-z0-9_-]{1,40}$/);
    const queried = panels.filter((p) => p.type !== 'row');
    for (const panel of queried) {
      assert.deepEqual(panel.datasource, DATASOURCE, `panel "${panel.title}"`);
      for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, DATASOURCE, `panel "${panel.title}" ${target.refId}`);
    }
    for (const variable of dashboard.templating.list) assert.deepEqual(variable.datasource, DATASOURCE, `variable $${variable.name}`);
    // Nothing else may name a data source: an import would leave it dangling.
    const text = JSON.stringify(dashboard);
    assert.deepEqual([...new Set(text.match(/\$\{DS_[A-Z_]+\}/g))], ['${DS_PROMETHEUS}']);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
    for (const [i, a] of panels.entries()) {
      assert.ok(a.gridPos.x >= 0 && a.gridPos.x + a.gridPos.w <= 24, `panel "${a.title}" fits the 24-column grid`);
      for (const b of panels.slice(i + 1)) {
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        assert.ok(!overlap, `panels "${a.title}" and "${b.title}" overlap`);
      }
    }
    for (const wanted of ['Avoided core-hours per owner', 'Avoided GiB-hours per owner', 'Environments by state over the day', 'Asleep per environment', 'Pass duration', 'Errors']) {
      assert.ok(panels.some((p) => p.title === wanted), `a "${wanted}" panel`);
    }
  });
});
