// kwok configuration for the local control plane: node stages taken from the kwok module's own
// files, pod stages written here so that tests can ask for crash-looping and not-ready pods with a
// label on the pod template (every new pod of such a workload then behaves that way).

/** Pod label: pods carrying it crash-loop (waiting CrashLoopBackOff, restarts counting up). */
export const CRASH_LOOP_LABEL = 'kwok.t-env.dev/crash-loop';
/** Pod label: pods carrying it run but never become ready. */
export const NOT_READY_LABEL = 'kwok.t-env.dev/not-ready';

const podReady = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: t-env-pod-ready}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Pending]}
    - {key: '.metadata.labels["${CRASH_LOOP_LABEL}"]', operator: DoesNotExist}
    - {key: '.metadata.labels["${NOT_READY_LABEL}"]', operator: DoesNotExist}
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Initialized}
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Ready}
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: ContainersReady}
      containerStatuses:
      {{ range .spec.containers }}
      - {image: {{ .image | Quote }}, name: {{ .name | Quote }}, ready: true, started: true, restartCount: 0,
         state: {running: {startedAt: {{ $now | Quote }}}}}
      {{ end }}
      {{ with NodeIPsWith .spec.nodeName }}
      hostIP: {{ index . 0 | Quote }}
      {{ end }}
      {{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ index . 0 | Quote }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
`;

const podNotReady = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: t-env-pod-not-ready}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.status.phase', operator: In, values: [Pending]}
    - {key: '.metadata.labels["${NOT_READY_LABEL}"]', operator: Exists}
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Initialized}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: Ready, reason: ContainersNotReady}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: ContainersReady, reason: ContainersNotReady}
      containerStatuses:
      {{ range .spec.containers }}
      - {image: {{ .image | Quote }}, name: {{ .name | Quote }}, ready: false, started: true, restartCount: 0,
         state: {running: {startedAt: {{ $now | Quote }}}}}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
`;

// A crash loop as the kubelet reports it: Running phase, container waiting in CrashLoopBackOff
// with the previous instance terminated with an error. Restarts count up every few seconds.
const podCrashLoop = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: t-env-pod-crash-loop}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: DoesNotExist}
    - {key: '.metadata.labels["${CRASH_LOOP_LABEL}"]', operator: Exists}
  delay:
    durationMilliseconds: 5000
  next:
    # The kubelet reports each back-off as a Warning event; so does this stage.
    event: {type: Warning, reason: BackOff, message: "Back-off restarting failed container"}
    statusTemplate: |
      {{ $now := Now }}
      {{ $restarts := 1 }}
      {{ with .status.containerStatuses }}{{ $restarts = add (index . 0).restartCount 1 }}{{ end }}
      conditions:
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Initialized}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: Ready, reason: ContainersNotReady}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: ContainersReady, reason: ContainersNotReady}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: {{ $restarts }}
        state: {waiting: {reason: CrashLoopBackOff, message: "back-off restarting failed container"}}
        lastState: {terminated: {exitCode: 1, reason: Error, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}
      {{ end }}
      phase: Running
      {{ if not .status.startTime }}startTime: {{ $now | Quote }}{{ end }}
`;

const podDelete = `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: t-env-pod-delete}
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: Exists}
  next:
    delete: true
`;

/** Joins the node stages read from the kwok module with this file's pod stages. */
export function kwokConfig(nodeStages: readonly string[]): string {
  return [...nodeStages, podReady, podNotReady, podCrashLoop, podDelete].map((s) => s.trim()).join('\n---\n') + '\n';
}
