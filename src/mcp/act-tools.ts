// The MCP server's act tools: create_environment (empty, a full copy or an overlay), refresh_environment, wake_environment,
// sleep_environment, keep_awake, set_image, delete_environment. Each acts only on an environment the user owns (guard.ts); the
// destructive ones (destructiveHint) refuse to run without confirm: true.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { parseDurationMs } from '../core/duration.ts';
import { InvalidInputError, isTEnvError } from '../core/errors.ts';
import { createFromBaseline, refreshEnvironment } from '../adapters/baseline.ts';
import type { CopyResult } from '../adapters/baseline.ts';
import { WORKLOAD_KINDS } from '../core/kinds.ts';
import { DEFAULT_MINIMUM_WAKE_HOURS } from '../core/sleep-plan.ts';
import { createEnvironment, deleteEnvironment } from '../adapters/environments.ts';
import { sleepEnvironment, wakeEnvironment } from '../adapters/sleep.ts';
import { waitUntilReady } from '../adapters/wait-ready.ts';
import { setWorkloadImage } from '../adapters/workload-image.ts';
import { DEFAULT_AWAKE_HOURS, localTimeZone } from '../cli/env-commands.ts';
import { ownedEnvironment, requireConfirm } from './guard.ts';
import { overlayInputs, overlayRequest, planResult, wantsOverlay } from './overlay-tools.ts';
import { environmentName } from './read-tools.ts';
import { defineTool } from './server.ts';
import type { McpContext } from './server.ts';

/** An agent's environment lives this long unless it asks for another TTL. */
export const DEFAULT_AGENT_TTL = '8h';
/** How long wake_environment waits for ready pods: less than an MCP client's usual 60 s request timeout. */
const WAKE_WAIT_MS = 45_000;

const duration = (what: string): z.ZodString => z.string().min(2).max(16).describe(`${what}, e.g. 90m, 4h, 1h30m, 2d.`);
const confirm = z.boolean().optional().describe('Must be true: this tool is destructive.');

function durationMs(text: string, field: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new InvalidInputError(`Invalid ${field} "${text}".`, 'Use forms like 90s, 15m, 4h or 1h30m.');
  return ms;
}

/** What a copy or refresh did, by object name (never an object's content). */
function copyOutcome(result: CopyResult): { applied: number; rejected: { kind: string; name: string; message: string }[]; warnings: string[] } {
  return { applied: result.applied, rejected: result.rejected.map((r) => ({ ...r })), warnings: [...result.warnings] };
}

export function registerActTools(server: McpServer, ctx: McpContext): void {
  defineTool(server, 'create_environment', {
    title: 'Create environment',
    description: `Creates an environment (a namespace) owned by you, empty or, with from, a full working copy of a baseline (list_environments names the baselines; every copyable object is copied, sized for one developer), `
      + 'or with from and only or changed an overlay: only the chosen workloads (and their callers from the entry points) run in it and every other Service is routed to the baseline (plan_overlay shows the plan first). '
      + `It has a time to live after which the sleeper deletes it (default ${DEFAULT_AGENT_TTL}; extend with "t env extend"). A copy reports progress and the objects the cluster refused.`,
    inputSchema: {
      name: environmentName.describe('The new environment\'s name: a DNS label (lowercase letters, digits, "-").'),
      from: environmentName.optional().describe('Copy the application from this baseline (a namespace labelled t-env.dev/baseline=true).'),
      ttl: duration('Time to live (5m to 90d)').optional(),
      timezone: z.string().max(64).optional().describe('IANA time zone of the awake hours (default: this machine\'s).'),
      awakeHours: z.string().max(256).optional().describe(`Awake hours, e.g. "${DEFAULT_AWAKE_HOURS}" (the default) or "always".`),
      ...overlayInputs,
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  }, async ({ name, from, ttl, timezone, awakeHours, ...overlay }, signal, progress) => {
    const session = ctx.session();
    const input = { name, owner: ctx.me, timezone: timezone ?? localTimeZone(), awakeHours: awakeHours ?? DEFAULT_AWAKE_HOURS, ttlMs: durationMs(ttl ?? DEFAULT_AGENT_TTL, 'ttl') };
    const summary = { context: session.context, name, owner: ctx.me, timezone: input.timezone, awakeHours: input.awakeHours };
    if (from === undefined) {
      if (wantsOverlay(overlay)) throw new InvalidInputError('only, changed, with and without make an overlay of a baseline: they need from.', 'Pass from with a baseline list_environments names.');
      const { expiresAt } = await createEnvironment(session, input, { now: ctx.now() });
      return { ...summary, expiresAt: expiresAt ?? null, baseline: null };
    }
    const request = await overlayRequest(session, from, overlay, signal, progress);
    const copy = await createFromBaseline(session, { ...input, baseline: from, overlay: request }, { signal, onProgress: progress, now: ctx.now() });
    return { ...summary, expiresAt: copy.expiresAt ?? null, baseline: from, ...copyOutcome(copy), ...(copy.plan ? { plan: planResult(copy.plan) } : {}) };
  });

  defineTool(server, 'refresh_environment', {
    title: 'Refresh from baseline',
    description: 'Brings one of your environments made from a baseline up to date with it: objects behind the baseline are updated and objects new in the baseline are added. '
      + 'Objects changed in the environment (e.g. by set_image) and workloads in dev mode are left alone and listed as skipped; nothing is deleted; an asleep environment stays asleep.',
    inputSchema: {
      name: environmentName,
      only: z.array(z.string().min(1).max(253)).max(100).optional().describe('Only these objects (names), e.g. ["api", "api-config"].'),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  }, async ({ name, only }, signal, progress) => {
    const session = ctx.session();
    await ownedEnvironment(session, name, ctx.me);
    const result = await refreshEnvironment(session, name, { only }, { signal, onProgress: progress, now: ctx.now() });
    return { environment: name, baseline: result.baseline, ...copyOutcome(result), skipped: result.skipped };
  });

  defineTool(server, 'wake_environment', {
    title: 'Wake environment',
    description: 'Wakes one of your environments now (every workload back to its count) and keeps it awake until its next scheduled sleep, at least 2 h, or exactly `for`. Waits (up to 45 s) until the pods are ready unless wait is false; ready: false and waiting say what is still starting.',
    inputSchema: { name: environmentName, for: duration('Keep awake this long').optional(), wait: z.boolean().optional().describe('Wait for ready pods (default true).') },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  }, async ({ name, for: forText, wait }, signal) => {
    const forMs = forText === undefined ? undefined : durationMs(forText, 'for');
    const session = ctx.session();
    await ownedEnvironment(session, name, ctx.me);
    const result = await wakeEnvironment(session, name, { forMs, minimumHours: DEFAULT_MINIMUM_WAKE_HOURS, signal, now: ctx.now(), actor: { via: 'MCP' } });
    let waiting: string | null = null;
    if (wait !== false) {
      try {
        await waitUntilReady(session, name, { signal, timeoutMs: WAKE_WAIT_MS });
      } catch (error) {
        // Woken all the same; the agent can follow up with environment_status, events and logs.
        if (!isTEnvError(error) || error.kind !== 'timeout') throw error;
        waiting = error.message;
      }
    }
    return { name, awakeUntil: result.awakeUntil, changed: result.changed, skipped: result.skipped, problems: result.problems, ready: wait !== false && waiting === null, waiting };
  });

  defineTool(server, 'sleep_environment', {
    title: 'Sleep environment',
    description: 'Puts one of your environments to sleep now, until its next scheduled wake: workloads to 0 replicas (counts kept, restored by wake), CronJobs suspended.',
    inputSchema: { name: environmentName },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  }, async ({ name }, signal) => {
    const session = ctx.session();
    await ownedEnvironment(session, name, ctx.me);
    const result = await sleepEnvironment(session, name, { signal, now: ctx.now(), actor: { via: 'MCP' } });
    return { name, asleepUntil: result.asleepUntil, changed: result.changed, skipped: result.skipped, problems: result.problems };
  });

  defineTool(server, 'keep_awake', {
    title: 'Keep awake',
    description: 'Keeps one of your environments awake for a while (waking it if it sleeps), without waiting for its pods.',
    inputSchema: { name: environmentName, for: duration('How long') },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  }, async ({ name, for: forText }, signal) => {
    const forMs = durationMs(forText, 'for');
    const session = ctx.session();
    await ownedEnvironment(session, name, ctx.me);
    // A wake with an exact duration: sets awake-until and restores whatever is asleep (nothing if awake).
    const result = await wakeEnvironment(session, name, { forMs, minimumHours: 0, signal, now: ctx.now(), actor: { via: 'MCP' } });
    return { name, awakeUntil: result.awakeUntil, changed: result.changed, problems: result.problems };
  });

  defineTool(server, 'set_image', {
    title: 'Set container image',
    description: 'Sets the image of a container of a workload in one of your environments (e.g. an image you just built and pushed). Returns the previous image so that you can put it back. Needs confirm: true.',
    inputSchema: {
      name: environmentName,
      workload: z.string().min(1).max(253).describe('Deployment, StatefulSet or CronJob name.'),
      kind: z.enum(WORKLOAD_KINDS).optional().describe('Only needed when several workloads share the name.'),
      container: z.string().min(1).max(63).optional().describe('Container name; may be left out when the workload has one container.'),
      image: z.string().min(1).max(512).describe('Image reference, e.g. registry.example/team/api:1.2.3.'),
      confirm,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  }, async ({ name, workload, kind, container, image, confirm: confirmed }) => {
    requireConfirm('set_image', `replaces the image of ${workload} in ${name}`, confirmed);
    const session = ctx.session();
    await ownedEnvironment(session, name, ctx.me);
    const change = await setWorkloadImage(session, name, { kind, name: workload }, image, container);
    return { environment: name, ...change };
  });

  defineTool(server, 'delete_environment', {
    title: 'Delete environment',
    description: 'Deletes one of your environments and everything in it, and waits until it is gone. Needs confirm: true.',
    inputSchema: { name: environmentName, confirm },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  }, async ({ name, confirm: confirmed }, signal) => {
    requireConfirm('delete_environment', `deletes ${name} and everything in it`, confirmed);
    const session = ctx.session();
    await ownedEnvironment(session, name, ctx.me);
    await deleteEnvironment(session, name, { signal });
    return { name, deleted: true };
  });
}
