// Grafana links from URL templates: `${variable}` placeholders filled per level (environment,
// workload, pod) and URL-encoded where they land (path segment, query value or fragment).
import { InvalidInputError } from './errors.ts';

export type GrafanaLevel = 'environment' | 'workload' | 'pod';

export interface GrafanaTarget {
  grafana: string;
  datasource: string;
  context: string;
  namespace: string;
  workload?: string;
  pod?: string;
  container?: string;
  /** Grafana time range, e.g. "now-1h" / "now" or epoch milliseconds. */
  from: string;
  to: string;
}

const LEVEL_VARIABLES: Record<GrafanaLevel, readonly string[]> = {
  environment: ['grafana', 'datasource', 'context', 'namespace', 'from', 'to'],
  workload: ['grafana', 'datasource', 'context', 'namespace', 'workload', 'from', 'to'],
  pod: ['grafana', 'datasource', 'context', 'namespace', 'workload', 'pod', 'container', 'from', 'to'],
};

/**
 * Defaults for a stock Grafana (10+) with a Loki data source: Explore with a LogQL selector.
 * Written unencoded for readability; buildGrafanaUrl encodes each query value.
 */
export const DEFAULT_GRAFANA_TEMPLATES: Record<GrafanaLevel, string> = {
  environment: '${grafana}/explore?schemaVersion=1&orgId=1&panes={"tenv":{"datasource":"${datasource}","queries":[{"refId":"A","expr":"{namespace=\\"${namespace}\\"}"}],"range":{"from":"${from}","to":"${to}"}}}',
  workload: '${grafana}/explore?schemaVersion=1&orgId=1&panes={"tenv":{"datasource":"${datasource}","queries":[{"refId":"A","expr":"{namespace=\\"${namespace}\\", pod=~\\"${workload}-.*\\"}"}],"range":{"from":"${from}","to":"${to}"}}}',
  pod: '${grafana}/explore?schemaVersion=1&orgId=1&panes={"tenv":{"datasource":"${datasource}","queries":[{"refId":"A","expr":"{namespace=\\"${namespace}\\", pod=\\"${pod}\\"}"}],"range":{"from":"${from}","to":"${to}"}}}',
};

const VARIABLE = /\$\{([^}]*)\}/g;

/** Checks that a template only uses the variables of its level; returns an error or undefined. */
export function checkGrafanaTemplate(template: string, level: GrafanaLevel): string | undefined {
  for (const m of template.matchAll(VARIABLE)) {
    const name = m[1]!;
    if (!LEVEL_VARIABLES.pod.includes(name)) return `unknown variable \${${name}} (known: ${LEVEL_VARIABLES.pod.map((v) => `\${${v}}`).join(', ')})`;
    if (!LEVEL_VARIABLES[level].includes(name)) return `\${${name}} is not available in ${level} links`;
  }
  return undefined;
}

function fill(text: string, values: Record<string, string>, encode: (v: string) => string): string {
  return text.replace(VARIABLE, (_m, name: string) => encode(values[name] ?? ''));
}

/** Escapes a value that lands inside a JSON string of the template (as Explore's panes do). */
function jsonInner(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * Builds the link. `${grafana}` is inserted verbatim (it is the base URL); every other value is
 * encoded for where it lands: a path segment, a query value (JSON-escaped too, since Explore's
 * parameters are JSON) or the fragment.
 */
export function buildGrafanaUrl(template: string, level: GrafanaLevel, target: GrafanaTarget, setting: string): string {
  const problem = checkGrafanaTemplate(template, level);
  if (problem) throw new InvalidInputError(`The setting ${setting} is invalid: ${problem}.`, 'Fix the template in Settings.');
  const grafana = target.grafana.replace(/\/+$/, '');
  const values: Record<string, string> = {
    datasource: target.datasource, context: target.context, namespace: target.namespace,
    workload: target.workload ?? '', pod: target.pod ?? '', container: target.container ?? '', from: target.from, to: target.to,
  };
  const withBase = template.replaceAll('${grafana}', grafana);
  const hashAt = withBase.indexOf('#');
  const beforeHash = hashAt < 0 ? withBase : withBase.slice(0, hashAt);
  const fragment = hashAt < 0 ? undefined : withBase.slice(hashAt + 1);
  const queryAt = beforeHash.indexOf('?');
  const path = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? undefined : beforeHash.slice(queryAt + 1);
  let url = fill(path, values, encodeURIComponent);
  if (query !== undefined) {
    const params = query.split('&').filter(Boolean).map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? undefined : pair.slice(eq + 1);
      const json = value !== undefined && /^[[{]/.test(value.trim());
      const filled = value === undefined ? undefined : fill(value, values, json ? jsonInner : (v) => v);
      return `${encodeURIComponent(key)}${filled === undefined ? '' : `=${encodeURIComponent(filled)}`}`;
    });
    url += `?${params.join('&')}`;
  }
  if (fragment !== undefined) url += `#${encodeURIComponent(fill(fragment, values, (v) => v))}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(`The setting ${setting} does not give a valid URL: ${url.slice(0, 120)}`, 'Check tenv.grafana.url and the template.');
  }
  // The link is opened outside the editor: only a web page, never javascript:, command:, file:, vscode:…
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError(`The setting ${setting} gives a ${parsed.protocol} link; only http and https links are opened.`, 'Set tenv.grafana.url to your Grafana, e.g. https://grafana.example.com.');
  }
  return url;
}
