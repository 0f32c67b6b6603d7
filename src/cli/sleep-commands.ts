// `t env sleep|wake` and `t sleeper`: the sleep system from the terminal and in the cluster.
import { sleepEnvironment, wakeEnvironment } from '../adapters/sleep.ts';
import { waitUntilReady } from '../adapters/wait-ready.ts';
import { runSleeper } from '../adapters/sleeper.ts';
import type { RunSleeperOptions } from '../adapters/sleeper.ts';
import { DEFAULT_MINIMUM_WAKE_HOURS } from '../core/sleep-plan.ts';
import { InvalidInputError } from '../core/errors.ts';
import { parseDuration, stringOption, withProgress } from './command.ts';
import type { Command, CommandContext } from './command.ts';
import { session } from './env-commands.ts';

/** For the transition Events: "Woken by alice from the CLI". */
const CLI = { via: 'the CLI' };

/** Prints a sleep or wake result; exit 1 when some workload had a problem. */
function report(ctx: CommandContext, name: string, result: { skipped: string[]; problems: string[] }, summary: string): number {
  if (ctx.out.json) {
    ctx.out.data({ name, ...result });
  } else {
    ctx.out.line(summary);
    for (const s of result.skipped) ctx.out.line(ctx.out.dim(`  left alone: ${s}`));
    for (const p of result.problems) ctx.out.line(`  problem: ${p}`);
  }
  return result.problems.length > 0 ? 1 : 0;
}

/** `--metrics-port 9090` → 9090; a port from 1 to 65535. */
function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65_535)) throw new InvalidInputError(`Invalid --metrics-port "${text}": expected a port from 1 to 65535.`, 'For example --metrics-port 9090.');
  return port;
}

/** `t-env-system/holidays` → its namespace and name. */
function parseConfigMapRef(text: string | undefined): { namespace: string; name: string } | undefined {
  if (text === undefined) return undefined;
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(text);
  if (!match) throw new InvalidInputError(`Invalid --holidays-configmap "${text}": expected <namespace>/<name>.`, 'For example t-env-system/holidays.');
  return { namespace: match[1]!, name: match[3]! };
}

export const sleepCommands: Command[] = [
  {
    path: ['env', 'sleep'],
    summary: 'Put an environment to sleep now: workloads to 0 replicas (counts kept), CronJobs suspended.',
    args: ['<name>'],
    async run(ctx) {
      const name = ctx.positionals[0]!;
      const result = await withProgress(ctx, `Putting ${name} to sleep…`, (update) => sleepEnvironment(session(ctx), name, { signal: ctx.signal, actor: CLI, onProgress: update }));
      return report(ctx, name, result, `${name} is asleep (${result.changed} workloads changed) until ${result.asleepUntil}.`);
    },
  },
  {
    path: ['env', 'wake'],
    summary: 'Wake an environment now and keep it awake (until its next scheduled sleep, or --for).',
    args: ['<name>'],
    options: {
      for: { type: 'string', description: 'keep awake this long (e.g. 1h, 4h, 90m) instead of until the next scheduled sleep', valueName: 'duration' },
      'no-wait': { type: 'boolean', description: 'return once scaled, without waiting for the pods to be ready' },
    },
    async run(ctx) {
      const name = ctx.positionals[0]!;
      const forText = stringOption(ctx, 'for');
      const forMs = forText === undefined ? undefined : parseDuration(forText, 'for');
      const s = session(ctx);
      const result = await withProgress(ctx, `Waking ${name}…`, async (update) => {
        const woken = await wakeEnvironment(s, name, { forMs, minimumHours: DEFAULT_MINIMUM_WAKE_HOURS, signal: ctx.signal, actor: CLI, onProgress: update });
        if (!ctx.values['no-wait']) await waitUntilReady(s, name, { signal: ctx.signal, onProgress: update });
        return woken;
      });
      const baseline = result.baseline ? `; so is its baseline ${result.baseline.name} (${result.baseline.changed} workloads restored), while ${name} is` : '';
      return report(ctx, name, result, `${name} is awake (${result.changed} workloads restored) until ${result.awakeUntil}${baseline}.`);
    },
  },
  {
    path: ['sleeper'],
    summary: 'Reconcile every environment with its awake hours, every --interval (in-cluster: deploy/sleeper).',
    options: {
      once: { type: 'boolean', description: 'one pass, then exit (1 if any environment had a problem)' },
      interval: { type: 'string', description: 'time between passes (default 60s)', valueName: 'duration' },
      'holidays-configmap': { type: 'string', description: 'company holidays: a ConfigMap whose "holidays" key lists dates and ranges (asleep all day in each environment\'s zone)', valueName: 'namespace/name' },
      'metrics-port': { type: 'string', description: 'serve Prometheus metrics on this port (all interfaces) at /metrics', valueName: 'port' },
    },
    async run(ctx) {
      const s = session(ctx);
      const intervalMs = parseDuration(stringOption(ctx, 'interval') ?? '60s', 'interval');
      const holidaysConfigMap = parseConfigMapRef(stringOption(ctx, 'holidays-configmap'));
      const metricsPort = parsePort(stringOption(ctx, 'metrics-port'));
      // Loaded only when asked for: prom-client stays out of every other command's start-up.
      const { SleeperMetrics, serveMetrics } = metricsPort === undefined ? {} : await import('../adapters/sleeper-metrics.ts');
      const metrics = SleeperMetrics && new SleeperMetrics();
      await using server = metrics && await serveMetrics!(metrics.registry, metricsPort!);
      if (server && !ctx.out.json) ctx.out.line(`serving metrics on port ${server.port} at /metrics`);
      const options: RunSleeperOptions = {
        intervalMs, once: ctx.values['once'] === true, signal: ctx.signal, holidaysConfigMap,
        onEvent: (event) => {
          if (ctx.out.json) {
            process.stdout.write(`${JSON.stringify(event)}\n`);
            return;
          }
          if (event.type === 'environment') {
            const r = event.result;
            ctx.out.line(`${new Date().toISOString()} ${r.name}: ${r.action === 'none' ? 'unchanged' : `${r.action} (${r.changed} workloads)`}${r.problems.length ? `; problems: ${r.problems.join('; ')}` : ''}`);
          } else if (event.type === 'pass') {
            ctx.out.line(`${event.pass.startedAt} pass over ${event.pass.environments.length} environments in ${event.pass.durationMs} ms, ${event.pass.requests} requests`);
          } else if (event.type === 'expiry') {
            ctx.out.line(`${new Date().toISOString()} ${event.outcome.name}: ${event.outcome.action}: ${event.outcome.detail}`);
          } else if (event.type === 'pass-failed') {
            ctx.out.error(event.error);
          } else {
            ctx.out.line(`warning: ${event.message}`);
          }
        },
      };
      const pass = await runSleeper(s, metrics?.instrument(options) ?? options);
      return pass && pass.environments.some((e) => e.problems.length > 0) ? 1 : 0;
    },
  },
];
