// The MCP server's overlay tools, both read-only: changed_services (`t env changed --json`: git and
// the okteto manifest of a checkout on this machine) and plan_overlay (`t env plan --json`: what an
// overlay of a baseline would run, route and leave shared; changes nothing). Also the overlay
// inputs (only | changed, with, without) that create_environment shares with plan_overlay, checked
// like the CLI's flags before anything is read. Lists are cut at MAX_LISTED names and say how many
// were left out; a reason is cut at MAX_REASON_CHARS.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ChangedServices } from '../core/changed-services.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { planJson } from '../core/overlay-plan.ts';
import type { OverlayPlan, OverlayRequest } from '../core/overlay-plan.ts';
import type { KubeSession } from '../adapters/kube.ts';
import { baselineGitRef, changedRequest, changedServices, planOverlayFrom } from '../adapters/overlay.ts';
import type { ChangeSource } from '../adapters/overlay.ts';
import { environmentName } from './read-tools.ts';
import { defineTool } from './server.ts';
import type { McpContext, ToolProgress } from './server.ts';

/** Names (files, services, workloads) per list in a result; `omitted` counts the rest. */
export const MAX_LISTED = 200;
/** A plan reason (e.g. "changed: <files>") is cut here. */
export const MAX_REASON_CHARS = 500;

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true } as const;
const PATH_HINT = 'Pass the absolute path of your git checkout (a folder in it) or of its okteto manifest.';

const checkoutPath = z.string().min(1).max(4096).describe('Absolute path of a folder of your git checkout (its okteto manifest is okteto.yml, okteto.yaml or .okteto/okteto.yml there) or of the okteto manifest itself.');
const baseRef = z.string().min(1).max(256).optional().describe('Compare with this git ref (default: the baseline\'s t-env.dev/git-ref, else origin/main, else main).');
const workloads = (what: string): z.ZodOptional<z.ZodArray<z.ZodString>> => z.array(z.string().min(1).max(253)).min(1).max(100).optional().describe(what);

/** The inputs that make create_environment (and plan_overlay) an overlay of the baseline `from`. */
export const overlayInputs = {
  only: workloads('Run only these workloads of the baseline (and their callers from the entry points); every other Service is routed to the baseline.'),
  changed: z.object({ path: checkoutPath, base: baseRef }).optional().describe('Run the okteto services whose code changed in this git checkout (see changed_services).'),
  with: workloads('With only or changed: also run these workloads (e.g. a shared datastore).'),
  without: workloads('With only or changed: route these workloads to the baseline even if on a path.'),
};

export interface OverlayInput {
  readonly only?: readonly string[] | undefined;
  readonly changed?: { readonly path: string; readonly base?: string | undefined } | undefined;
  readonly with?: readonly string[] | undefined;
  readonly without?: readonly string[] | undefined;
}

/** Whether the input asks for an overlay at all (any overlay input given). */
export function wantsOverlay(input: OverlayInput): boolean {
  return input.only !== undefined || input.changed !== undefined || input.with !== undefined || input.without !== undefined;
}

/** A checkout path as the adapters want it: a folder, or a manifest and its folder. */
async function changeSource(where: string, base: string | undefined): Promise<ChangeSource> {
  if (!path.isAbsolute(where)) throw new InvalidInputError(`The path "${where}" is not absolute (the MCP server's working folder is not yours).`, PATH_HINT);
  const stat = await fsp.stat(where).catch(() => undefined);
  if (!stat) throw new NotFoundError(`The path "${where}"`, PATH_HINT);
  return stat.isDirectory() ? { folder: where, base } : { folder: path.dirname(where), manifest: where, base };
}

/**
 * The overlay request of `input` for `baseline` (changed asks git), or undefined for a full copy.
 * The same rules as the CLI's --only/--changed/--with/--without, checked before anything is read.
 */
export async function overlayRequest(session: KubeSession, baseline: string, input: OverlayInput, signal: AbortSignal, progress: ToolProgress): Promise<OverlayRequest | undefined> {
  if (input.only !== undefined && input.changed !== undefined) throw new InvalidInputError('Pass only or changed, not both.', 'Add workloads to either with "with".');
  if (input.only === undefined && input.changed === undefined) {
    if (input.with !== undefined || input.without !== undefined) {
      throw new InvalidInputError('with and without refine an overlay: they need only or changed.', 'Pass only (workload names) or changed ({path}), or leave with and without out for a full copy.');
    }
    return undefined;
  }
  const extra = { with: input.with, without: input.without };
  if (input.only !== undefined) return { ...extra, only: input.only };
  const source = await changeSource(input.changed!.path, input.changed!.base);
  progress(`Reading the changes in ${input.changed!.path}…`);
  return changedRequest(session, baseline, source, extra, { signal });
}

function cut<T>(list: readonly T[]): { items: T[]; omitted: number } {
  return { items: list.slice(0, MAX_LISTED), omitted: Math.max(0, list.length - MAX_LISTED) };
}

const clip = (text: string): string => (text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text);

/** `t env plan --json`, bounded, with the changed services that are no workload; `omitted` counts names left out. */
export function planResult(plan: OverlayPlan): Record<string, unknown> {
  const json = planJson(plan);
  const run = cut(json.run.map((r) => ({ name: r.name, reasons: r.reasons.map(clip) })));
  const routed = cut(json.routed);
  const shared = cut(json.shared);
  const notWorkloads = cut(plan.notWorkloads);
  return {
    baseline: json.baseline, run: run.items, routed: routed.items, shared: shared.items, notWorkloads: notWorkloads.items,
    omitted: run.omitted + routed.omitted + shared.omitted + notWorkloads.omitted,
  };
}

/** `t env changed --json`, bounded; `omitted` counts the file names and services left out. */
function changedResult(changed: ChangedServices): Record<string, unknown> {
  let omitted = 0;
  const services = cut(changed.services.map((s) => {
    const files = cut(s.files);
    omitted += files.omitted;
    return { name: s.name, files: files.items };
  }));
  const unmapped = cut(changed.unmapped);
  return { base: changed.base, services: services.items, unmapped: unmapped.items, omitted: omitted + services.omitted + unmapped.omitted };
}

export function registerOverlayTools(server: McpServer, ctx: McpContext): void {
  defineTool(server, 'changed_services', {
    title: 'Changed services',
    description: 'The okteto services whose code changed in a git checkout on this machine, since the merge-base with the base ref (plus staged, unstaged and untracked files): '
      + 'a file belongs to a service under its build context or a dev sync folder; unmapped lists the rest. '
      + `Like "t env changed --json"; at most ${MAX_LISTED} names per list (omitted counts the rest). Reads git only, never the cluster unless from is given.`,
    inputSchema: {
      path: checkoutPath,
      base: baseRef,
      from: environmentName.optional().describe('Take the default base ref from this baseline\'s t-env.dev/git-ref.'),
    },
    annotations: READ,
  }, async ({ path: where, base, from }, signal) => {
    const source = await changeSource(where, base);
    const gitRef = from !== undefined && base === undefined ? await baselineGitRef(ctx.session(), from, { signal }) : undefined;
    return changedResult(await changedServices(source, gitRef, { signal }));
  });

  defineTool(server, 'plan_overlay', {
    title: 'Plan an overlay',
    description: 'What an overlay of a baseline would run (each workload with why: chosen, changed, or calling one from an entry point), route to the baseline (Services) and leave shared with it; changes nothing. '
      + `Choose with only (workload names) or changed (a git checkout, see changed_services), refine with with and without; create_environment takes the same inputs. Like "t env plan --json"; at most ${MAX_LISTED} names per list.`,
    inputSchema: { from: environmentName.describe('The baseline (list_environments names them).'), ...overlayInputs },
    annotations: READ,
  }, async ({ from, ...input }, signal, progress) => {
    const session = ctx.session();
    const request = await overlayRequest(session, from, input, signal, progress);
    if (request === undefined) throw new InvalidInputError('plan_overlay needs only or changed.', 'Pass only (workload names) or changed ({path} of your git checkout).');
    const { plan, warnings } = await planOverlayFrom(session, from, request, { signal });
    return { ...planResult(plan), warnings: [...warnings] };
  });
}
