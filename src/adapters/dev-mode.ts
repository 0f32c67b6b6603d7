// Dev mode planning shared by `t dev` and the VS Code commands: find and parse the manifest, match
// the service to a workload of the environment, locate okteto, and wake the environment first.
import * as k8s from '@kubernetes/client-node';
import path from 'node:path';
import { ANNOTATION_REPLICAS_BEFORE_SLEEP, scheduleAnnotations } from '../core/environment.ts';
import type { EnvironmentInfo } from '../core/environment.ts';
import { evaluate } from '../core/environment-verdict.ts';
import { InvalidInputError } from '../core/errors.ts';
import { devServiceForWorkload, devServicesInEnvironment, findDevService, matchDevWorkload } from '../core/okteto-manifest.ts';
import type { DevService, LabelledWorkload, OktetoManifest } from '../core/okteto-manifest.ts';
import { isScalableKind, SCALABLE_KINDS } from '../core/kinds.ts';
import type { WorkloadRef } from '../core/kinds.ts';
import { readEnvironmentNamespace } from './environments.ts';
import { kindClients } from './kinds.ts';
import { toTEnvError } from './kube.ts';
import type { KubeSession } from './kube.ts';
import type { DevTarget } from '../core/okteto-cli.ts';
import { OktetoCli } from './okteto-cli.ts';
import { findManifest, loadManifest, writeDerivedManifest } from './okteto-manifest.ts';
import type { DerivedManifest } from './okteto-manifest.ts';
import { stopUp } from './okteto-state-folder.ts';
import { wakeEnvironment } from './sleep.ts';
import { waitUntilReady } from './wait-ready.ts';
import type { KnownEnvironment } from './sleep.ts';
import type { ReadinessSource } from './wait-ready.ts';

export interface LoadedManifest {
  path: string;
  /** Relative to the workspace folder, for messages ("okteto.yml:7: …"). */
  displayName: string;
  manifest: OktetoManifest;
}

export async function loadWorkspaceManifest(folder: string, override?: string): Promise<LoadedManifest> {
  const file = await findManifest(folder, override || undefined);
  const displayName = path.relative(folder, file) || path.basename(file);
  return { path: file, displayName, manifest: await loadManifest(file, displayName) };
}

/** What Start Dev needs to know of an environment: the workloads a dev entry can take over, and whether it is asleep. */
export interface DevEnvironment {
  workloads: LabelledWorkload[];
  /** A workload is asleep (the sleeper has not woken it yet), or the verdict at `now` says it should be (the sleeper would put the dev container to sleep at its next pass). */
  asleep: boolean;
}

function devEnvironment(annotations: Readonly<Record<string, string>> | undefined, workloads: readonly (LabelledWorkload & { asleep: boolean })[], now: Date): DevEnvironment {
  const scalable = workloads.filter((w) => isScalableKind(w.kind));
  return {
    workloads: scalable.map(({ kind, name, labels }) => ({ kind, name, labels })),
    asleep: evaluate(annotations, now).state === 'asleep' || scalable.some((w) => w.asleep),
  };
}

/**
 * The environment as Start Dev sees it: from the live store's view when the caller holds one
 * (the extension: no request), else read once (the CLI: the namespace and one list per kind).
 */
export async function environmentWorkloads(session: KubeSession, namespace: string, now = new Date(), known?: EnvironmentInfo): Promise<DevEnvironment> {
  if (known) return devEnvironment(scheduleAnnotations(known), known.workloads, now);
  const ns = await readEnvironmentNamespace(session, namespace);
  const kinds = kindClients(session.kc);
  try {
    const lists = await Promise.all(SCALABLE_KINDS.map(async (kind) => (await kinds[kind].list(namespace)).items.map((obj) => ({
      kind, name: obj.metadata?.name ?? '', labels: obj.metadata?.labels ?? {}, asleep: obj.metadata?.annotations?.[ANNOTATION_REPLICAS_BEFORE_SLEEP] !== undefined,
    }))));
    return devEnvironment(ns.metadata?.annotations, lists.flat(), now);
  } catch (error) {
    throw toTEnvError(error, session, `list deployments in ${namespace}`);
  }
}

export interface DevPlan {
  /** The dev entry: `target.service` is its key, `service.name` names its state folder. */
  service: DevService;
  workload: WorkloadRef;
  target: DevTarget;
  manifest: LoadedManifest;
  /** Asleep or due to sleep: Start Dev wakes it first (see environmentWorkloads). */
  asleep: boolean;
}

/** Everything Start/Stop Dev needs, validated before anything runs. */
export async function planDev(session: KubeSession, input: { manifest: LoadedManifest; service: string; namespace: string; now?: Date | undefined; known?: EnvironmentInfo | undefined }): Promise<DevPlan> {
  const service = findDevService(input.manifest.manifest, input.service, input.manifest.displayName);
  const { workloads, asleep } = await environmentWorkloads(session, input.namespace, input.now, input.known);
  const workload = matchDevWorkload(service, workloads, input.namespace, input.manifest.displayName);
  return {
    service, workload, asleep, manifest: input.manifest,
    target: { service: service.key, manifest: input.manifest.path, namespace: input.namespace, context: session.context },
  };
}

/** The okteto side of a plan: the target okteto is run with, and the derived manifest to remove afterwards. */
export interface OktetoRun {
  target: DevTarget;
  derived: DerivedManifest | undefined;
  /** For the log: what was derived and why (undefined when okteto reads the manifest as it is). */
  note: string | undefined;
}

/**
 * The target to hand okteto: the workspace manifest itself, or, when it has platform sections
 * okteto refuses on a plain cluster, a dev-only manifest derived from it (written outside the
 * workspace; okteto still runs in the manifest's folder). `derived.remove()` when done.
 */
export async function oktetoRunFor(plan: DevPlan): Promise<OktetoRun> {
  const derived = await writeDerivedManifest(plan.manifest.manifest, plan.manifest.path);
  if (!derived) return { target: plan.target, derived: undefined, note: undefined };
  const sections = plan.manifest.manifest.platformOnly.map((p) => p.key).join(', ');
  return {
    target: { ...plan.target, manifest: derived.path, cwd: path.dirname(plan.manifest.path) },
    derived,
    note: `${plan.manifest.displayName} has ${sections}, which okteto refuses without the Okteto platform: handing okteto its dev section alone, in ${derived.path} (removed afterwards).`,
  };
}

/** The dev entry that takes over a workload of the environment (Start/Stop Dev from a tree node). */
export async function devServiceForWorkloadIn(session: KubeSession, manifest: LoadedManifest, namespace: string, workload: string, known?: EnvironmentInfo): Promise<DevService> {
  const { workloads } = await environmentWorkloads(session, namespace, new Date(), known);
  const found = devServiceForWorkload(manifest.manifest, workload, workloads);
  if (found) return found;
  throw new InvalidInputError(`${manifest.displayName}: no dev entry takes over "${workload}" in ${namespace} (by name, name: or selector).`,
    `Add a dev entry named "${workload}" (or with a selector matching its labels) to ${manifest.displayName}.`);
}

export interface StopDevResult {
  /** What was done to a running `okteto up` first. */
  up: 'none' | 'stopped' | 'killed';
  /** With volumes: whether the `<name>-okteto` PVC is gone ('kept' only when T-Env could not delete it). */
  volume: 'removed' | 'absent' | 'kept' | undefined;
  /** Why the volume is kept, when it is. */
  volumeProblem: string | undefined;
}

/**
 * Stop Dev: stops a running `okteto up` first (see stopUp), then `okteto down`. With volumes, the
 * dev volume (PVC `<dev name>-okteto`) is deleted by T-Env when okteto kept it (`down -v` keeps
 * it for a service that is not in dev mode, okteto cmd/down.go), or reported as kept.
 */
export async function stopDevMode(session: KubeSession, cli: OktetoCli, plan: DevPlan, options: { volumes: boolean; signal?: AbortSignal | undefined; onProgress?: ((text: string) => void) | undefined }): Promise<StopDevResult> {
  options.onProgress?.('stopping okteto up…');
  const up = await stopUp(plan.target.namespace, plan.service.name, { env: cli.processEnv(), signal: options.signal });
  const run = await oktetoRunFor(plan);
  try {
    options.onProgress?.('okteto down…');
    await cli.down(run.target, { volumes: options.volumes, signal: options.signal });
  } finally {
    await run.derived?.remove();
  }
  if (!options.volumes) return { up, volume: undefined, volumeProblem: undefined };
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const name = `${plan.service.name}-okteto`;
  try {
    await core.deleteNamespacedPersistentVolumeClaim({ name, namespace: plan.target.namespace });
    return { up, volume: 'removed', volumeProblem: undefined };
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return { up, volume: 'absent', volumeProblem: undefined };
    return { up, volume: 'kept', volumeProblem: toTEnvError(error, session, `delete persistentvolumeclaim ${name}`).message };
  }
}

/** The manifest's services that have their workload in the environment, with it (for pickers). */
export async function servicesInEnvironment(session: KubeSession, manifest: LoadedManifest, namespace: string, known?: EnvironmentInfo): Promise<{ service: DevService; workload: WorkloadRef }[]> {
  const { workloads } = await environmentWorkloads(session, namespace, new Date(), known);
  return devServicesInEnvironment(manifest.manifest, workloads).map((service) => ({ service, workload: matchDevWorkload(service, workloads, namespace) }));
}

/**
 * Wakes an asleep environment (DevPlan.asleep says whether it is) and waits for its pods, before
 * `okteto up` takes a workload over.
 */
export async function wakeForDev(session: KubeSession, namespace: string, options: {
  minimumHours: number; signal?: AbortSignal | undefined; onProgress?: ((text: string) => void) | undefined;
  /** What a live store already holds and watches (the extension): see TransitionOptions.known and ReadinessSource. */
  known?: KnownEnvironment | undefined; source?: ReadinessSource | undefined; user?: string | undefined;
}): Promise<void> {
  options.onProgress?.(`Waking ${namespace} first…`);
  const woken = await wakeEnvironment(session, namespace, {
    minimumHours: options.minimumHours, cause: 'dev', actor: { via: 'Start Dev', user: options.user }, known: options.known, signal: options.signal, onProgress: options.onProgress,
  });
  await waitUntilReady(session, namespace, { signal: options.signal, onProgress: options.onProgress, source: options.source, waking: woken.changedWorkloads });
}

export { OktetoCli };
