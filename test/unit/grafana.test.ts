// Grafana links: defaults per level, encoding of every variable, template errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildGrafanaUrl, checkGrafanaTemplate, DEFAULT_GRAFANA_TEMPLATES } from '../../src/core/grafana.ts';
import type { GrafanaTarget } from '../../src/core/grafana.ts';

const target: GrafanaTarget = {
  grafana: 'https://grafana.example.com/', datasource: 'loki', context: 'prod & co', namespace: 'jane-dev',
  workload: 'api', pod: 'api-7d9f-x2', container: 'app', from: 'now-1h', to: 'now',
};

function panes(url: string): unknown {
  return JSON.parse(new URL(url).searchParams.get('panes')!);
}

describe('Grafana links', () => {
  it('builds an Explore link with a Loki namespace selector for an environment', () => {
    const url = buildGrafanaUrl(DEFAULT_GRAFANA_TEMPLATES.environment, 'environment', target, 'tenv.grafana.environmentUrl');
    assert.ok(url.startsWith('https://grafana.example.com/explore?schemaVersion=1&orgId=1&panes=%7B'), url);
    assert.deepEqual(panes(url), { tenv: { datasource: 'loki', queries: [{ refId: 'A', expr: '{namespace="jane-dev"}' }], range: { from: 'now-1h', to: 'now' } } });
  });
  it('narrows to the workload\'s pods and to one pod', () => {
    const w = buildGrafanaUrl(DEFAULT_GRAFANA_TEMPLATES.workload, 'workload', target, 's');
    assert.equal((panes(w) as { tenv: { queries: { expr: string }[] } }).tenv.queries[0]!.expr, '{namespace="jane-dev", pod=~"api-.*"}');
    const p = buildGrafanaUrl(DEFAULT_GRAFANA_TEMPLATES.pod, 'pod', target, 's');
    assert.equal((panes(p) as { tenv: { queries: { expr: string }[] } }).tenv.queries[0]!.expr, '{namespace="jane-dev", pod="api-7d9f-x2"}');
  });
  it('encodes values in path segments, query values and the fragment', () => {
    const url = buildGrafanaUrl('${grafana}/d/abc/${namespace}?var-ctx=${context}&var-pod=${pod}#${container} x', 'pod', { ...target, namespace: 'a b/c' }, 's');
    assert.equal(url, 'https://grafana.example.com/d/abc/a%20b%2Fc?var-ctx=prod%20%26%20co&var-pod=api-7d9f-x2#app%20x');
    assert.equal(new URL(url).searchParams.get('var-ctx'), 'prod & co');
  });
  it('JSON-escapes values inside JSON parameters', () => {
    const url = buildGrafanaUrl('${grafana}/explore?left={"q":"${context}"}', 'environment', { ...target, context: 'say "hi"' }, 's');
    assert.deepEqual(JSON.parse(new URL(url).searchParams.get('left')!), { q: 'say "hi"' });
  });
  it('rejects unknown variables and variables of another level, naming the setting', () => {
    assert.match(checkGrafanaTemplate('${grafana}/x?p=${podname}', 'pod')!, /unknown variable \$\{podname\}/);
    assert.match(checkGrafanaTemplate('${grafana}/x?p=${pod}', 'environment')!, /\$\{pod\} is not available in environment links/);
    assert.throws(() => buildGrafanaUrl('${grafana}/x?p=${workload}', 'environment', target, 'tenv.grafana.environmentUrl'), /tenv\.grafana\.environmentUrl is invalid/);
    assert.throws(() => buildGrafanaUrl('not a url ${namespace}', 'environment', { ...target, grafana: '' }, 'tenv.grafana.environmentUrl'), /does not give a valid URL/);
  });

  it('builds only http(s) links, whatever the base URL or template (issue #17, L4)', () => {
    for (const grafana of ['javascript:alert(1)//', 'command:workbench.action.terminal.new?', 'file:///etc/passwd#', 'vscode://some.extension/x?', 'data:text/html,x']) {
      assert.throws(() => buildGrafanaUrl(DEFAULT_GRAFANA_TEMPLATES.pod, 'pod', { ...target, grafana }, 'tenv.grafana.podUrl'), /only http and https links are opened/, grafana);
    }
    assert.throws(() => buildGrafanaUrl('command:tenv.deleteEnvironment?${namespace}', 'environment', target, 'tenv.grafana.environmentUrl'), /only http and https/);
    assert.ok(buildGrafanaUrl('http://grafana.local/d/x?var-ns=${namespace}', 'environment', target, 'tenv.grafana.environmentUrl').startsWith('http://grafana.local/'));
  });
});
