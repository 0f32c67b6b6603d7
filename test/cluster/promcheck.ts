// The Prometheus checker for tests (go/promcheck): the parser Prometheus scrapes with and the linter
// behind `promtool check metrics`, and Prometheus' PromQL parser; built once and cached like the
// control plane.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);

export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  /** Counters, gauges and untyped samples. */
  readonly value?: number;
  /** Histograms and summaries. */
  readonly count?: number;
  readonly sum?: number;
  readonly buckets?: readonly { readonly upperBound: number; readonly count: number }[];
}

export interface PromFamily {
  readonly name: string;
  /** `COUNTER`, `GAUGE`, `HISTOGRAM`, `SUMMARY` or `UNTYPED`. */
  readonly type: string;
  readonly help: string;
  readonly samples: readonly PromSample[];
}

export interface PromCheck {
  readonly families: readonly PromFamily[];
  /** promlint's findings, as `promtool check metrics` prints them. */
  readonly problems: readonly { readonly metric: string; readonly text: string }[];
}

let built: string | undefined;

/** The promcheck binary, built on first use (go/promcheck/build.sh). */
export function promcheckPath(): string {
  if (built !== undefined) return built;
  const out = execFileSync('bash', [path.join(here, 'go', 'promcheck', 'build.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(bin)) throw new Error(`promcheck missing at "${bin}"`);
  built = bin;
  return bin;
}

/** Parses and lints an exposition; throws with the parser's message when it does not parse. */
export function checkMetrics(text: string): PromCheck {
  const out = execFileSync(promcheckPath(), [], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  // promcheck spells the floats JSON lacks as the exposition format does.
  const special: Readonly<Record<string, number>> = { '+Inf': Infinity, '-Inf': -Infinity, NaN };
  return JSON.parse(out, (key, value: unknown) => (['value', 'sum', 'upperBound'].includes(key) && typeof value === 'string' ? special[value] ?? value : value)) as PromCheck;
}

export interface PromQLCheck {
  /** The metric names the expression's selectors read ("" for a selector without a name). */
  readonly metrics: readonly string[];
  /** Prometheus' parse error, if it does not parse. */
  readonly error?: string;
}

/** Parses PromQL expressions with Prometheus' own parser (promql/parser), one result each. */
export function checkPromQL(expressions: readonly string[]): PromQLCheck[] {
  const out = execFileSync(promcheckPath(), ['promql'], { input: JSON.stringify(expressions), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out) as PromQLCheck[];
}
