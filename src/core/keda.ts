// KEDA ScaledObjects of sleeping workloads. KEDA scales a Deployment or StatefulSet from 0 on its
// own triggers, so a sleep that only sets replicas would be undone (kube-green#344, #498). While
// an environment sleeps, each ScaledObject whose target T-Env puts to sleep is paused at 0
// (`autoscaling.keda.sh/paused-replicas: "0"`, KEDA's own pause), and the pause is lifted on wake.
//
// Annotation contract (ScaledObject):
// - `t-env.dev/paused-by-sleep: "true"`, written in the same patch as the pause and removed in the
//   same patch that lifts it: T-Env lifts only pauses it set, never one a person set.
// Order, so that a process killed between two requests converges: the pause goes before the
// workloads are scaled to 0, and is lifted before they are scaled back (a crash in between leaves
// workloads that still must change, so the next run or pass comes back to the ScaledObjects).
import type { Meta } from './environment.ts';
import type { SleepTarget } from './sleep-plan.ts';

export const ANNOTATION_KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';
export const ANNOTATION_PAUSED_BY_SLEEP = 't-env.dev/paused-by-sleep';

/** The parts of a ScaledObject (keda.sh/v1alpha1) the pause looks at. */
export interface ScaledObjectLike {
  metadata?: (Meta & { resourceVersion?: string | undefined }) | undefined;
  spec?: { scaleTargetRef?: { kind?: string | undefined; name?: string | undefined } | undefined } | undefined;
}

/** `Deployment/api`: the workload a ScaledObject scales (KEDA's default kind is Deployment). */
export function scaledObjectTarget(obj: ScaledObjectLike): string | undefined {
  const ref = obj.spec?.scaleTargetRef;
  return ref?.name ? `${ref.kind ?? 'Deployment'}/${ref.name}` : undefined;
}

/**
 * The merge patch that pauses (asleep) or un-pauses (awake) a ScaledObject, or `undefined` when it
 * is already right, targets a workload T-Env does not sleep (`sleeping` holds `Kind/name`), or
 * carries a pause someone else set.
 */
export function planScaledObject(obj: ScaledObjectLike, target: SleepTarget, sleeping: ReadonlySet<string>): { metadata: { resourceVersion?: string; annotations: Record<string, string | null> } } | undefined {
  const annotations = obj.metadata?.annotations ?? {};
  const ours = annotations[ANNOTATION_PAUSED_BY_SLEEP] === 'true';
  const precondition = obj.metadata?.resourceVersion === undefined ? {} : { resourceVersion: obj.metadata.resourceVersion };
  if (target === 'awake') {
    return ours ? { metadata: { ...precondition, annotations: { [ANNOTATION_KEDA_PAUSED_REPLICAS]: null, [ANNOTATION_PAUSED_BY_SLEEP]: null } } } : undefined;
  }
  const workload = scaledObjectTarget(obj);
  if (ours || workload === undefined || !sleeping.has(workload) || annotations[ANNOTATION_KEDA_PAUSED_REPLICAS] !== undefined) return undefined;
  return { metadata: { ...precondition, annotations: { [ANNOTATION_KEDA_PAUSED_REPLICAS]: '0', [ANNOTATION_PAUSED_BY_SLEEP]: 'true' } } };
}
