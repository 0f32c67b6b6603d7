// The savings report webview ("T-Env: Show Savings Report"): the figures of `t report`
// (core/savings.ts) as a view model — one bar per environment (hours awake and asleep), a table
// row per environment, per owner and in total — and that view as one HTML page.
//
// The page is inert: no script, a Content-Security-Policy that allows nothing but the page's own
// stylesheet (by nonce), colours only from the theme (`var(--vscode-…)`). The bars are inline SVG
// sized by attributes (a `style` attribute would need 'unsafe-inline'), each with its figures as
// text for screen readers. The "mine / everyone" and period switches are command links the panel
// allows (`enableCommandUris`), carrying `{scope, days}` back to the command. Every value from the
// cluster (names, owners, problems) goes through `escapeHtml`.
import { escapeHtml } from './html.ts';
import { LEDGER_CAUSES } from './sleep-ledger.ts';
import type { ByCause } from './sleep-ledger.ts';
import { savingsReport } from './savings.ts';
import type { Avoided, EnvironmentSavings, Prices, SavingsInput, SavingsTotals } from './savings.ts';

export type ReportScope = 'mine' | 'everyone';

/** What the report shows: whose environments, over how many days. */
export interface ReportRequest {
  readonly scope: ReportScope;
  readonly days: number;
}

/** The periods the page offers. */
export const REPORT_PERIODS: readonly number[] = [7, 14, 35];

/**
 * The request a command argument asks for (`{scope, days}` from the page's links; anything else,
 * such as a tree node from the view's title bar, is ignored), over `fallback`.
 */
export function reportRequest(arg: unknown, fallback: ReportRequest): ReportRequest {
  if (typeof arg !== 'object' || arg === null) return fallback;
  const { scope, days } = arg as Record<string, unknown>;
  return {
    scope: scope === 'mine' || scope === 'everyone' ? scope : fallback.scope,
    days: typeof days === 'number' && REPORT_PERIODS.includes(days) ? days : fallback.days,
  };
}

/** One environment's bar: hours awake and asleep, as widths (0-100) of the longest bar. */
export interface SavingsBar {
  readonly name: string;
  readonly owner: string;
  readonly awakeWidth: number;
  readonly asleepWidth: number;
  /** The figures in words, for screen readers and beside the bar. */
  readonly text: string;
}

/** A table row: its heading cell (name, owner or "Total") and the figures, formatted. */
export interface SavingsRow {
  readonly heading: string;
  readonly cells: readonly string[];
}

export interface SavingsView {
  readonly request: ReportRequest;
  readonly me: string;
  /** "The last 7 local days of each environment, until …". */
  readonly summary: string;
  readonly priced: boolean;
  /** Column headings after the first (name). */
  readonly columns: readonly string[];
  readonly bars: readonly SavingsBar[];
  /** Per environment; the heading is the name, the first cell the owner. */
  readonly rows: readonly SavingsRow[];
  /** Per owner (everyone's report with more than one owner), same columns. */
  readonly owners: readonly SavingsRow[];
  readonly total: SavingsRow | undefined;
  /** "name: problem" lines (no ledger yet, a request that is not a quantity, …). */
  readonly problems: readonly string[];
  /** Why there is no table, when there is none. */
  readonly empty: string | undefined;
}

export interface SavingsViewInput {
  readonly environments: readonly SavingsInput[];
  readonly request: ReportRequest;
  /** The developer's owner label ("mine"). */
  readonly me: string;
  readonly prices: Prices;
  readonly now: Date;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const fixed = (value: number | null, digits = 1): string => (value === null ? '–' : value.toFixed(digits));
const CAUSE_LABEL: Readonly<Record<keyof ByCause, string>> = { schedule: 'schedule', manual: 'manual', dev: 'Start Dev' };

/** "schedule 12.0 h, manual 4.0 h"; "–" when every cause is 0. */
function byCause(values: ByCause, format: (n: number) => string): string {
  const parts = LEDGER_CAUSES.filter((c) => values[c] > 0).map((c) => `${CAUSE_LABEL[c]} ${format(values[c])}`);
  return parts.length > 0 ? parts.join(', ') : '–';
}

function potentialText(potential: Avoided | null): string {
  return potential === null ? '–' : `${fixed(potential.asleepHours)} h asleep, ${fixed(potential.avoidedCpuCoreHours)} core-h`;
}

function cells(e: EnvironmentSavings | SavingsTotals, priced: boolean): string[] {
  return [
    `${fixed(e.awakeHours)} h`, `${fixed(e.asleepHours)} h`, e.asleepPercent === null ? '–' : `${fixed(e.asleepPercent, 0)} %`,
    byCause(e.asleepHoursByCause, (h) => `${fixed(h)} h`), byCause(e.wakesByTrigger, String),
    fixed(e.avoidedCpuCoreHours), fixed(e.avoidedMemoryGiBHours), ...(priced ? [fixed(e.avoidedCost, 2)] : []), potentialText(e.potential),
  ];
}

/** At most this many problem lines: 300 environments without a ledger would bury the report. */
export const MAX_PROBLEMS = 50;

function boundedProblems(problems: string[]): string[] {
  return problems.length <= MAX_PROBLEMS ? problems : [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more`];
}

/** The report of `t report` over the store's environments, for the page. */
export function savingsView(input: SavingsViewInput): SavingsView {
  const { request, me, prices } = input;
  const shown = request.scope === 'mine' ? input.environments.filter((e) => e.owner === me) : input.environments;
  const report = savingsReport(shown, { days: request.days, until: input.now }, prices);
  const priced = prices.cpuCoreHour !== undefined || prices.gibHour !== undefined;
  const columns = ['Owner', 'Awake', 'Asleep', 'Asleep %', 'Asleep by cause', 'Wakes by trigger', 'Core-h avoided', 'GiB-h avoided', ...(priced ? ['Cost avoided'] : []), 'Schedule would give'];
  const longest = Math.max(0, ...report.environments.map((e) => e.awakeHours + e.asleepHours));
  const width = (hours: number): number => (longest > 0 ? Math.round((1000 * hours) / longest) / 10 : 0);
  const bars = report.environments.map((e) => ({
    name: e.name, owner: e.owner, awakeWidth: width(e.awakeHours), asleepWidth: width(e.asleepHours),
    text: `awake ${fixed(e.awakeHours)} h, asleep ${fixed(e.asleepHours)} h${e.asleepPercent === null ? '' : ` (${fixed(e.asleepPercent, 0)} %)`}`,
  }));
  const rows = report.environments.map((e) => ({ heading: e.name, cells: [e.owner, ...cells(e, priced)] }));
  const owners = request.scope === 'everyone' && report.owners.length > 1
    ? report.owners.map((o) => ({ heading: o.owner, cells: [count(o.environments, 'environment'), ...cells(o, priced)] }))
    : [];
  const total = report.environments.length > 0 ? { heading: 'Total', cells: [count(report.owners.length, 'owner'), ...cells(report.totals, priced)] } : undefined;
  const empty = report.environments.length > 0 ? undefined
    : request.scope === 'mine' ? `No environments owned by ${me}; "Everyone" reports every developer's.` : 'No environments in this cluster.';
  return {
    request, me, priced, columns, bars, rows, owners, total, empty,
    summary: `The last ${request.days} local days of each environment, until ${report.until}. Core-hours and GiB-hours are requests × replicas × hours asleep${priced ? '; cost uses the prices in the settings (prices, not a bill)' : ''}.`,
    problems: boundedProblems(report.environments.flatMap((e) => e.problems.map((p) => `${e.name}: ${p}`))),
  };
}

/** What the page needs from the webview: its nonce and the command its links run. */
export interface SavingsPageOptions {
  readonly nonce: string;
  readonly command: string;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; }
a { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
.summary, .problems, .switch { color: var(--vscode-descriptionForeground); }
.switch strong { color: var(--vscode-foreground); }
.chart { list-style: none; padding: 0; max-width: 900px; }
.chart li { display: grid; grid-template-columns: minmax(8em, 16em) 1fr minmax(14em, auto); gap: 8px; align-items: center; margin: 4px 0; }
.chart svg { width: 100%; height: 1em; }
.awake { fill: var(--vscode-charts-orange); }
.asleep { fill: var(--vscode-charts-blue); }
.key-awake { color: var(--vscode-charts-orange); }
.key-asleep { color: var(--vscode-charts-blue); }
table { border-collapse: collapse; margin: 8px 0 16px; }
tbody th, tfoot th, tbody td:first-of-type, tfoot td:first-of-type { white-space: nowrap; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--vscode-panel-border); text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot th, tfoot td { font-weight: bold; }
`;

function link(options: SavingsPageOptions, request: ReportRequest, label: string, current: boolean): string {
  if (current) return `<strong aria-current="true">${escapeHtml(label)}</strong>`;
  const uri = `command:${options.command}?${encodeURIComponent(JSON.stringify([request]))}`;
  return `<a href="${escapeHtml(uri)}">${escapeHtml(label)}</a>`;
}

function tableRow(row: SavingsRow, numeric: (index: number) => boolean): string {
  return `<tr><th scope="row">${escapeHtml(row.heading)}</th>${row.cells.map((c, i) => `<td${numeric(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** The whole page: CSP-locked, no script, every cluster value escaped. */
export function savingsHtml(view: SavingsView, options: SavingsPageOptions): string {
  const { request } = view;
  const csp = `default-src 'none'; style-src 'nonce-${options.nonce}';`;
  const scopes = (['mine', 'everyone'] as const).map((scope) => link(options, { ...request, scope }, scope === 'mine' ? `Mine (${view.me})` : 'Everyone', scope === request.scope)).join(' · ');
  const periods = REPORT_PERIODS.map((days) => link(options, { ...request, days }, `${days} days`, days === request.days)).join(' · ');
  // Awake, asleep, % and the three avoided figures are numbers; the cause and potential columns are text.
  const numericColumns = new Set(view.columns.flatMap((c, i) => (/^(Awake|Asleep|Asleep %|Core-h avoided|GiB-h avoided|Cost avoided)$/.test(c) ? [i] : [])));
  const numeric = (i: number): boolean => numericColumns.has(i);
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>T-Env Savings</title><style nonce="${escapeHtml(options.nonce)}">${STYLE}</style></head><body>`,
    '<h1>Savings</h1>',
    `<p class="switch" id="scope">Environments: ${scopes}</p>`,
    `<p class="switch" id="period">Period: ${periods}</p>`,
    `<p class="summary">${escapeHtml(view.summary)}</p>`,
  ];
  if (view.empty !== undefined) {
    parts.push(`<p id="empty">${escapeHtml(view.empty)}</p>`);
  } else {
    parts.push(
      '<h2 id="chart-heading">Hours awake and asleep</h2>',
      '<p class="summary"><span class="key-awake" aria-hidden="true">■</span> awake · <span class="key-asleep" aria-hidden="true">■</span> asleep</p>',
      '<ul class="chart" aria-labelledby="chart-heading">',
      ...view.bars.map((b) => {
        const label = `${b.name}: ${b.text}`;
        return `<li data-environment="${escapeHtml(b.name)}"><span>${escapeHtml(b.name)}</span>`
          + `<svg role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 100 10" preserveAspectRatio="none"><title>${escapeHtml(label)}</title>`
          + `<rect class="awake" x="0" y="0" width="${b.awakeWidth}" height="10"></rect>`
          + `<rect class="asleep" x="${b.awakeWidth}" y="0" width="${b.asleepWidth}" height="10"></rect></svg>`
          + `<span class="summary">${escapeHtml(b.text)}</span></li>`;
      }),
      '</ul>',
      '<h2 id="table-heading">Per environment</h2>',
      '<table id="environments" aria-labelledby="table-heading"><thead><tr><th scope="col">Environment</th>',
      ...view.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`),
      '</tr></thead><tbody>',
      ...view.rows.map((r) => tableRow(r, (i) => numeric(i))),
      '</tbody>',
      view.total === undefined ? '' : `<tfoot>${tableRow(view.total, (i) => numeric(i))}</tfoot>`,
      '</table>',
    );
    if (view.owners.length > 0) {
      parts.push(
        '<h2 id="owners-heading">Per owner</h2>',
        '<table id="owners" aria-labelledby="owners-heading"><thead><tr><th scope="col">Owner</th>',
        ...view.columns.map((c, i) => `<th scope="col">${i === 0 ? 'Environments' : escapeHtml(c)}</th>`),
        '</tr></thead><tbody>',
        ...view.owners.map((r) => tableRow(r, (i) => numeric(i))),
        '</tbody></table>',
      );
    }
  }
  if (view.problems.length > 0) {
    parts.push('<h2>Problems</h2><ul class="problems">', ...view.problems.map((p) => `<li>${escapeHtml(p)}</li>`), '</ul>');
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
