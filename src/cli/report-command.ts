// `t report`: how long environments slept and what that took off the cluster (core/savings.ts).
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { checkReportDays, savingsCsv, savingsReport } from '../core/savings.ts';
import type { Avoided, Prices } from '../core/savings.ts';
import { loadEnvironments } from '../adapters/environments.ts';
import { stringOption, UsageError } from './command.ts';
import type { Command, CommandContext } from './command.ts';
import { me, session } from './env-commands.ts';

function parseDays(text: string): number {
  const match = /^(\d{1,3})d$/.exec(text);
  if (!match) throw new InvalidInputError(`Invalid --since "${text}": expected whole days such as 7d.`, 'The ledger keeps per-day figures for 35 days: --since 1d to 35d.');
  return checkReportDays(Number(match[1]));
}

function parsePrice(ctx: CommandContext, option: string): number | undefined {
  const text = stringOption(ctx, option);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidInputError(`Invalid --${option} "${text}": expected a price, 0 or more (e.g. 0.03).`);
  return value;
}

const fixed = (value: number | null, digits = 1): string => (value === null ? '-' : value.toFixed(digits));

export const reportCommand: Command = {
  path: ['report'],
  summary: 'Hours awake and asleep, wakes, and the requests sleep avoided (core-hours, GiB-hours, cost) per environment, owner and in total.',
  options: {
    env: { type: 'string', description: 'one environment', valueName: 'name' },
    all: { type: 'boolean', short: 'a', description: 'every developer\'s environments (default: yours)' },
    since: { type: 'string', description: 'the last N local days, today included (default 7d, at most 35d)', valueName: 'days' },
    csv: { type: 'boolean', description: 'print CSV' },
    'cpu-core-hour-price': { type: 'string', description: 'price of one CPU core-hour of requests, for the avoided cost (a price, not a measurement)', valueName: 'price' },
    'gib-hour-price': { type: 'string', description: 'price of one GiB-hour of memory requests', valueName: 'price' },
  },
  async run(ctx) {
    const env = stringOption(ctx, 'env');
    if (env !== undefined && ctx.values['all']) throw new UsageError('--env and --all cannot be combined.', 'Run "t report --help" for usage.');
    if (ctx.out.json && ctx.values['csv']) throw new UsageError('--json and --csv cannot be combined.', 'Run "t report --help" for usage.');
    const days = parseDays(stringOption(ctx, 'since') ?? '7d');
    const prices: Prices = { cpuCoreHour: parsePrice(ctx, 'cpu-core-hour-price'), gibHour: parsePrice(ctx, 'gib-hour-price') };
    const owner = env === undefined && !ctx.values['all'] ? me(ctx.env) : undefined;
    const s = session(ctx);
    const progress = ctx.out.json || ctx.values['csv'] ? undefined : ctx.out.progress(`Reading sleep ledgers in ${s.context}…`);
    let all;
    try {
      all = await loadEnvironments(s);
    } finally {
      progress?.done();
    }
    const inputs = all.filter((e) => (env === undefined || e.name === env) && (owner === undefined || e.owner === owner));
    if (env !== undefined && inputs.length === 0) throw new NotFoundError(`The environment "${env}"`, 'Run "t env ls --all" to see the environments.');
    const report = savingsReport(inputs, { days, until: new Date() }, prices);
    if (ctx.out.json) { ctx.out.data(report); return; }
    if (ctx.values['csv']) { process.stdout.write(savingsCsv(report)); return; }
    if (report.environments.length === 0) {
      ctx.out.line(owner !== undefined ? `No environments owned by ${owner}; --all reports every developer's.` : 'No environments in this cluster.');
      return;
    }
    const priced = prices.cpuCoreHour !== undefined || prices.gibHour !== undefined;
    const avoided = (a: Avoided): string[] => [`${fixed(a.asleepHours)} h`, `${fixed(a.asleepPercent, 0)} %`, fixed(a.avoidedCpuCoreHours), fixed(a.avoidedMemoryGiBHours), ...(priced ? [fixed(a.avoidedCost, 2)] : [])];
    const header = ['NAME', 'OWNER', 'AWAKE', 'ASLEEP', 'ASLEEP %', 'CORE-H', 'GIB-H', ...(priced ? ['COST'] : []), 'WAKES S/M/D', 'SCHEDULE WOULD GIVE'];
    const rows = report.environments.map((e) => [
      e.name, e.owner, `${fixed(e.awakeHours)} h`, ...avoided(e),
      `${e.wakesByTrigger.schedule}/${e.wakesByTrigger.manual}/${e.wakesByTrigger.dev}`,
      e.potential === null ? '-' : `${fixed(e.potential.asleepHours)} h asleep, ${fixed(e.potential.avoidedCpuCoreHours)} core-h`,
    ]);
    const t = report.totals;
    rows.push(['TOTAL', `${report.owners.length} owners`, `${fixed(t.awakeHours)} h`, ...avoided(t), `${t.wakesByTrigger.schedule}/${t.wakesByTrigger.manual}/${t.wakesByTrigger.dev}`, `${fixed(t.potential.asleepHours)} h asleep, ${fixed(t.potential.avoidedCpuCoreHours)} core-h`]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    ctx.out.line(ctx.out.dim(`The last ${days} local days of each environment, until ${report.until}. Core-hours and GiB-hours are requests × replicas × hours asleep${priced ? '; cost uses the prices given' : ''}.`));
    ctx.out.line(ctx.out.bold(fmt(header)));
    for (const r of rows) ctx.out.line(fmt(r));
    for (const e of report.environments) for (const p of e.problems) ctx.out.line(ctx.out.dim(`  ${e.name}: ${p}`));
  },
};
