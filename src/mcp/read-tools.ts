// The MCP server's read tools: list_environments (with the baselines), environment_status (with the
// baseline diff summary), logs, events. They read any T-Env environment (never a system namespace
// or a namespace that is not an environment).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { parseDurationMs } from '../core/duration.ts';
import type { EnvironmentInfo } from '../core/environment.ts';
import { recentWarnings } from '../core/environment.ts';
import { environmentJson, environmentWarnings } from '../core/environment-view.ts';
import { describeExpiry } from '../core/expiry.ts';
import { errorSummary, InvalidInputError, isTEnvError, NotFoundError } from '../core/errors.ts';
import { ANNOTATION_BASELINE } from '../core/baseline-copy.ts';
import { summarizeDiff } from '../core/diff-summary.ts';
import { diffEnvironment, listBaselines } from '../adapters/baseline.ts';
import { loadEnvironments } from '../adapters/environments.ts';
import { streamWorkloadLogs } from '../adapters/pod-logs.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { readableEnvironment } from './guard.ts';
import { defineTool } from './server.ts';
import type { McpContext } from './server.ts';

/** At most this much log text per call; the rest is cut and `truncated` says so. */
export const MAX_LOG_CHARS = 64 * 1024;
/** Lines per container a logs call may ask for. */
export const MAX_TAIL_LINES = 2000;
/** Objects that differ from the baseline listed by environment_status (the counts cover all). */
export const MAX_DIFF_OBJECTS = 100;

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true } as const;
export const environmentName = z.string().min(1).max(63).describe('The environment (namespace) name, as listed by list_environments.');

async function environment(session: KubeSession, name: string): Promise<{ env: EnvironmentInfo; baseline: string | undefined }> {
  const ns = await readableEnvironment(session, name);
  const env = (await loadEnvironments(session)).find((e) => e.name === name);
  if (!env) throw new NotFoundError(`The environment "${name}"`, 'Call list_environments to see the environments.');
  return { env, baseline: ns.metadata?.annotations?.[ANNOTATION_BASELINE] };
}

/** Why a baseline cannot be compared that is the baseline's problem, not the call's: gone, unlabelled, unreadable. */
const BASELINE_PROBLEMS: ReadonlySet<string> = new Set(['not-found', 'not-baseline', 'forbidden']);

/**
 * How the environment differs from the baseline it was made from (null if none). A baseline that
 * cannot be compared (deleted, unreadable) is a problem line, never a failed status.
 */
async function baselineDiff(session: KubeSession, name: string, baseline: string | undefined, signal: AbortSignal): Promise<Record<string, unknown> | null> {
  if (baseline === undefined) return null;
  try {
    const diff = await diffEnvironment(session, name, { signal });
    return { name: diff.baseline, asleep: diff.asleep, ...summarizeDiff(diff.entries, MAX_DIFF_OBJECTS), warnings: diff.warnings, problem: null };
  } catch (error) {
    if (!isTEnvError(error) || !BASELINE_PROBLEMS.has(error.kind)) throw error;
    const { message, hint } = errorSummary(error);
    return { name: baseline, problem: hint ? `${message} ${hint}` : message };
  }
}

export function registerReadTools(server: McpServer, ctx: McpContext): void {
  defineTool(server, 'list_environments', {
    title: 'List environments',
    description: 'Your T-Env environments (all: true for every developer\'s): state, owner, schedule, next sleep or wake, expiry, workloads; and the baselines an environment can be copied from (create_environment from).',
    inputSchema: { all: z.boolean().optional().describe('Every developer\'s environments, not only yours.') },
    annotations: READ,
  }, async ({ all }, signal) => {
    const session = ctx.session();
    const now = ctx.now();
    const [envs, baselines] = await Promise.all([loadEnvironments(session), listBaselines(session, { signal })]);
    const shown = envs.filter((e) => all === true || e.owner === ctx.me);
    return { context: session.context, me: ctx.me, environments: shown.map((e) => environmentJson(e, now)), baselines: baselines.map((b) => ({ name: b.name, gitRef: b.gitRef ?? null })) };
  });

  defineTool(server, 'environment_status', {
    title: 'Environment status',
    description: 'One environment in detail: state, schedule (next sleep or wake, kept awake/asleep until), expiry, every workload with its pods, the warnings of the last hour, '
      + `and for an environment made from a baseline how it differs (counts per status: in-sync, behind, changed-here, only-in-baseline, only-here; at most ${MAX_DIFF_OBJECTS} differing objects listed).`,
    inputSchema: { name: environmentName },
    annotations: READ,
  }, async ({ name }, signal) => {
    const session = ctx.session();
    const { env, baseline } = await environment(session, name);
    const diff = await baselineDiff(session, name, baseline, signal);
    const now = ctx.now();
    const json = environmentJson(env, now);
    return {
      context: session.context,
      ...json,
      expires: describeExpiry(env.expiresAt, now) ?? null,
      workloads: env.workloads.map((w) => ({
        kind: w.kind, name: w.name, state: w.state, replicas: w.replicas, readyReplicas: w.readyReplicas, asleep: w.asleep, devMode: w.devMode, sleepExempt: w.sleepExempt,
        pods: w.pods.map((p) => ({ name: p.name, phase: p.phase, state: p.state, ready: p.ready, restarts: p.restarts, reason: p.reason ?? null, containers: p.containers })),
        warnings: recentWarnings(w.warnings, now).length,
      })),
      warnings: environmentWarnings(env, undefined, now),
      baseline: diff,
    };
  });

  defineTool(server, 'logs', {
    title: 'Workload logs',
    description: `The recent log lines of every pod (and container) of a workload, each prefixed with [pod] or [pod/container]. At most ${MAX_LOG_CHARS / 1024} KiB per call: narrow with tail or since when truncated is true. Does not follow.`,
    inputSchema: {
      name: environmentName,
      workload: z.string().min(1).max(253).describe('Deployment, StatefulSet or CronJob name.'),
      tail: z.number().int().min(0).max(MAX_TAIL_LINES).optional().describe('Last lines per container (default 100).'),
      since: z.string().max(16).optional().describe('Only lines from this long ago, e.g. 10m, 1h.'),
    },
    annotations: READ,
  }, async ({ name, workload, tail, since }, signal) => {
    const sinceMs = since === undefined ? undefined : parseDurationMs(since);
    if (since !== undefined && sinceMs === undefined) throw new InvalidInputError(`Invalid since "${since}".`, 'Use forms like 90s, 15m, 4h or 1h30m.');
    const session = ctx.session();
    await readableEnvironment(session, name);
    let text = '';
    let truncated = false;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await streamWorkloadLogs(session, name, { name: workload }, (chunk) => {
        if (truncated) return;
        if (text.length + chunk.length > MAX_LOG_CHARS) {
          // Cut at a line end, so that no half line reaches the agent.
          const room = chunk.slice(0, MAX_LOG_CHARS - text.length);
          text += room.slice(0, room.lastIndexOf('\n') + 1);
          truncated = true;
          stop.abort();
          return;
        }
        text += chunk;
      }, {
        follow: false, tailLines: tail ?? 100, signal: stop.signal,
        sinceTime: sinceMs === undefined ? undefined : new Date(ctx.now().getTime() - sinceMs).toISOString(),
        batch: { flushIntervalMs: 10, maxChunkChars: 16 * 1024, maxBufferedChars: 4 * MAX_LOG_CHARS },
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    signal.throwIfAborted();
    const lines = text === '' ? 0 : text.split('\n').length - 1;
    return { environment: name, workload, lines, truncated, text };
  });

  defineTool(server, 'events', {
    title: 'Warning events',
    description: 'Warning events of the last hour in an environment, or one workload of it (BackOff, FailedScheduling, Unhealthy, …), newest first.',
    inputSchema: { name: environmentName, workload: z.string().min(1).max(253).optional().describe('Only this workload.') },
    annotations: READ,
  }, async ({ name, workload }) => {
    const { env } = await environment(ctx.session(), name);
    return { environment: name, warnings: environmentWarnings(env, workload, ctx.now()) };
  });
}
