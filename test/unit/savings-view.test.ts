// The savings report webview's model and page: rows and totals as `t report` figures them, bars
// scaled to the longest, the mine/everyone and period switches, the CSP, and cluster text escaped.
// Instants are UTC and the environments count their days in UTC, so this holds under any TZ.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { environmentInfo, scalableInfo } from '../../src/core/environment.ts';
import type { EnvironmentInfo } from '../../src/core/environment.ts';
import { MAX_PROBLEMS, reportRequest, savingsHtml, savingsView } from '../../src/core/savings-view.ts';
import type { SavingsViewInput } from '../../src/core/savings-view.ts';
import { ANNOTATION_SLEEP_LEDGER, recordTransition, serializeLedger } from '../../src/core/sleep-ledger.ts';
import type { LedgerTransition, SleepLedger } from '../../src/core/sleep-ledger.ts';

const NOW = new Date('2026-01-12T20:00:00Z'); // a Monday

function ledgerOf(transitions: [string, 'asleep' | 'awake', 'schedule' | 'manual' | 'dev'][]): string {
  let ledger: SleepLedger | undefined;
  for (const [at, state, cause] of transitions) ledger = recordTransition(ledger, { at: new Date(at), state, cause } satisfies LedgerTransition, 'UTC') ?? ledger;
  return serializeLedger(ledger!);
}

/** An environment in UTC with one Deployment of 2 × (500m, 1Gi) and the ledger given. */
function environment(name: string, owner: string, ledger: string | undefined): EnvironmentInfo {
  const api = scalableInfo('Deployment', { metadata: { name: 'api' }, spec: { replicas: 2, template: { spec: { containers: [{ resources: { requests: { cpu: '500m', memory: '1Gi' } } }] } } } }, []);
  const annotations: Record<string, string> = { 't-env.dev/timezone': 'UTC', 't-env.dev/awake-hours': 'Mon-Fri 08:00-18:00' };
  if (ledger !== undefined) annotations[ANNOTATION_SLEEP_LEDGER] = ledger;
  return environmentInfo({ metadata: { name, labels: { 't-env.dev/owner': owner }, annotations } }, [api]);
}

// alpha: asleep by schedule 00-08 and 18-20, awake 08-18: 10 h each. beta: asleep by hand all day.
const alpha = environment('alpha', 'alice', ledgerOf([['2026-01-12T00:00:00Z', 'asleep', 'schedule'], ['2026-01-12T08:00:00Z', 'awake', 'schedule'], ['2026-01-12T18:00:00Z', 'asleep', 'schedule']]));
const beta = environment('beta', 'bob', ledgerOf([['2026-01-12T00:00:00Z', 'asleep', 'manual']]));

function input(overrides: Partial<SavingsViewInput> = {}): SavingsViewInput {
  return { environments: [beta, alpha], request: { scope: 'everyone', days: 7 }, me: 'alice', prices: {}, now: NOW, ...overrides };
}

const PAGE = { nonce: 'bm9uY2U0dGVzdHM', command: 'tenv.showSavingsReport' };

describe('savings report view', () => {
  it('has a row per environment with the figures of t report, per owner and in total', () => {
    const view = savingsView(input());
    assert.deepEqual(view.columns, ['Owner', 'Awake', 'Asleep', 'Asleep %', 'Asleep by cause', 'Wakes by trigger', 'Core-h avoided', 'GiB-h avoided', 'Schedule would give']);
    assert.deepEqual(view.rows, [
      // 1 core and 2 GiB asleep for 10 h. The schedule would give the whole period (Tuesday 6th
      // 00:00 on): 4 weekdays × 14 h, the weekend's 48 h and Monday's 10 h.
      { heading: 'alpha', cells: ['alice', '10.0 h', '10.0 h', '50 %', 'schedule 10.0 h', 'schedule 1', '10.0', '20.0', '114.0 h asleep, 114.0 core-h'] },
      { heading: 'beta', cells: ['bob', '0.0 h', '20.0 h', '100 %', 'manual 20.0 h', '–', '20.0', '40.0', '114.0 h asleep, 114.0 core-h'] },
    ]);
    assert.deepEqual(view.total, { heading: 'Total', cells: ['2 owners', '10.0 h', '30.0 h', '75 %', 'schedule 10.0 h, manual 20.0 h', 'schedule 1', '30.0', '60.0', '228.0 h asleep, 228.0 core-h'] });
    assert.deepEqual(view.owners.map((o) => [o.heading, o.cells[0], o.cells[2]]), [['alice', '1 environment', '10.0 h'], ['bob', '1 environment', '20.0 h']]);
    assert.deepEqual(view.problems, []);
    assert.equal(view.empty, undefined);
  });

  it('scales the bars to the longest and says their figures in words', () => {
    const view = savingsView(input());
    assert.deepEqual(view.bars, [
      { name: 'alpha', owner: 'alice', awakeWidth: 50, asleepWidth: 50, text: 'awake 10.0 h, asleep 10.0 h (50 %)' },
      { name: 'beta', owner: 'bob', awakeWidth: 0, asleepWidth: 100, text: 'awake 0.0 h, asleep 20.0 h (100 %)' },
    ]);
  });

  it('shows only mine when asked, with no owner table, and says so when I have none', () => {
    const mine = savingsView(input({ request: { scope: 'mine', days: 7 } }));
    assert.deepEqual(mine.rows.map((r) => r.heading), ['alpha']);
    assert.deepEqual(mine.owners, []);
    assert.equal(mine.total?.cells[0], '1 owner');
    const none = savingsView(input({ request: { scope: 'mine', days: 7 }, me: 'carol' }));
    assert.deepEqual([none.rows, none.bars, none.total], [[], [], undefined]);
    assert.match(none.empty ?? '', /No environments owned by carol/);
    assert.doesNotMatch(savingsHtml(none, PAGE), /<table/);
  });

  it('adds the cost column only with prices', () => {
    const view = savingsView(input({ prices: { cpuCoreHour: 0.05, gibHour: 0.01 } }));
    assert.equal(view.columns[8], 'Cost avoided');
    assert.equal(view.rows[0]!.cells[8], '0.70', '10 core-h × 0.05 + 20 GiB-h × 0.01');
    assert.equal(view.total!.cells[8], '2.10');
    assert.match(view.summary, /prices, not a bill/);
  });

  it('lists problems, at most MAX_PROBLEMS of them', () => {
    const many = Array.from({ length: MAX_PROBLEMS + 3 }, (_, i) => environment(`e${i}`, 'alice', undefined));
    const view = savingsView(input({ environments: many }));
    assert.equal(view.problems.length, MAX_PROBLEMS + 1);
    assert.match(view.problems[0]!, /^e0: no sleep ledger yet/);
    assert.equal(view.problems.at(-1), '… and 3 more');
  });

  it('reads {scope, days} from the page\'s links and ignores anything else', () => {
    const fallback = { scope: 'mine', days: 7 } as const;
    assert.deepEqual(reportRequest({ scope: 'everyone', days: 35 }, fallback), { scope: 'everyone', days: 35 });
    assert.deepEqual(reportRequest({ scope: 'all', days: 3 }, fallback), fallback);
    assert.deepEqual(reportRequest(undefined, fallback), fallback);
    assert.deepEqual(reportRequest('everyone', fallback), fallback);
  });
});

describe('savings report page', () => {
  it('is locked by its CSP: no script, no remote content, its one stylesheet by nonce, no style attributes', () => {
    const html = savingsHtml(savingsView(input()), PAGE);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-bm9uY2U0dGVzdHM';">/);
    assert.equal(html.match(/<style/g)?.length, 1);
    assert.match(html, /<style nonce="bm9uY2U0dGVzdHM">/);
    assert.doesNotMatch(html, /<script|\sstyle=|\son[a-z]+=|https?:|src=/i);
    for (const colour of html.matchAll(/(?<![a-z-])(?:color|fill|background|border-bottom):\s*([^;]+);/g)) assert.match(colour[1]!, /var\(--vscode-[a-zA-Z-]+\)/, colour[0]);
  });

  it('draws a bar per environment with its figures as accessible text, and the table with totals', () => {
    const html = savingsHtml(savingsView(input()), PAGE);
    assert.match(html, /<li data-environment="alpha"><span>alpha<\/span><svg role="img" aria-label="alpha: awake 10.0 h, asleep 10.0 h \(50 %\)"[^>]*><title>[^<]+<\/title><rect class="awake" x="0" y="0" width="50" height="10"><\/rect><rect class="asleep" x="50" y="0" width="50" height="10"><\/rect><\/svg>/);
    assert.match(html, /<tr><th scope="row">beta<\/th><td>bob<\/td><td class="num">0.0 h<\/td><td class="num">20.0 h<\/td><td class="num">100 %<\/td><td>manual 20.0 h<\/td>/);
    assert.match(html, /<tfoot><tr><th scope="row">Total<\/th><td>2 owners<\/td><td class="num">10.0 h<\/td><td class="num">30.0 h<\/td>/);
    assert.match(html, /<table id="owners"/);
  });

  it('switches scope and period with command links that carry {scope, days}', () => {
    const html = savingsHtml(savingsView(input()), PAGE);
    const uri = (request: object): string => `command:tenv.showSavingsReport?${encodeURIComponent(JSON.stringify([request]))}`;
    assert.ok(html.includes(`<a href="${uri({ scope: 'mine', days: 7 })}">Mine (alice)</a>`), html);
    assert.ok(html.includes('<strong aria-current="true">Everyone</strong>'));
    assert.ok(html.includes(`<a href="${uri({ scope: 'everyone', days: 35 })}">35 days</a>`));
    assert.ok(html.includes('<strong aria-current="true">7 days</strong>'));
  });

  it('escapes names, owners and problems from the cluster', () => {
    const hostile = environment('<img src=x onerror=alert(1)>', '"><script>alert(2)</script>', undefined);
    const html = savingsHtml(savingsView(input({ environments: [hostile], me: '<b>me</b>' })), PAGE);
    assert.doesNotMatch(html, /<img|<script|<b>/);
    assert.ok(html.includes('<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th><td>&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;</td>'));
    assert.ok(html.includes('data-environment="&lt;img src=x onerror=alert(1)&gt;"'));
    assert.ok(html.includes('<li>&lt;img src=x onerror=alert(1)&gt;: no sleep ledger yet'));
    assert.ok(html.includes('Mine (&lt;b&gt;me&lt;/b&gt;)'));
  });
});
