// Overlays: the plan for a baseline of N workloads with a dense call graph (each calls 10 others
// through env values and a ConfigMap), as CPU time after the lists; then an overlay of 3 of them
// created on the local control plane, and the pods it runs against a full copy's.
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../src/core/baseline-copy.ts';
import { developerReplicas } from '../src/core/baseline-copy.ts';
import type { Listed } from '../src/core/baseline-diff.ts';
import { inferCallGraph, planOverlay } from '../src/core/overlay-plan.ts';
import type { KubeSession } from '../src/adapters/kube.ts';
import { createOverlay } from '../src/adapters/overlay.ts';
import type { BaselineOptions } from '../src/adapters/baseline.ts';
import { baselineSettled } from './baseline.ts';
import { limited, median, round } from './stats.ts';

const CALLS = 10;
const ENTRIES = 5;

/**
 * Workload i calls i+1…i+10 (those that exist) half by env values, half by its ConfigMap; the first
 * 5 are behind LoadBalancers. Calls only go forward, so the entry points svc-0…2 have no callers.
 */
function denseBaseline(name: string, workloads: number): { configMaps: KubeObject[]; services: KubeObject[]; deployments: KubeObject[] } {
  const ids = Array.from({ length: workloads }, (_, i) => i);
  const callees = (i: number, from: number): string[] => Array.from({ length: CALLS / 2 }, (_, k) => i + 1 + from + k).filter((j) => j < workloads).map((j) => `svc-${j}`);
  return {
    configMaps: ids.map((i) => ({ metadata: { name: `svc-${i}` }, data: Object.fromEntries(callees(i, CALLS / 2).map((c, k) => [`UPSTREAM_${k}`, `http://${c}.${name}.svc.cluster.local:80/api`])) })),
    services: ids.map((i) => ({ metadata: { name: `svc-${i}` }, spec: { type: i < ENTRIES ? 'LoadBalancer' : 'ClusterIP', selector: { app: `svc-${i}` }, ports: [{ port: 80 }] } })),
    deployments: ids.map((i) => ({
      metadata: { name: `svc-${i}` },
      spec: {
        replicas: 2, selector: { matchLabels: { app: `svc-${i}` } },
        template: { metadata: { labels: { app: `svc-${i}` } }, spec: { containers: [{
          name: 'app', image: `registry.example/svc-${i}:1`, envFrom: [{ configMapRef: { name: `svc-${i}` } }],
          env: callees(i, 0).map((c, k) => ({ name: `CALL_${k}`, value: `${c}:80` })),
        }] } },
      },
    })),
  };
}

const listedOf = (b: ReturnType<typeof denseBaseline>): Listed[] => [
  ...b.configMaps.map((obj) => ({ kind: 'ConfigMap' as const, obj })), ...b.services.map((obj) => ({ kind: 'Service' as const, obj })),
  ...b.deployments.map((obj) => ({ kind: 'Deployment' as const, obj })),
];

export interface OverlayPlanBenchResult {
  workloads: number;
  calls: number;
  cpuMedianMs: number;
  runs: number;
}

/** CPU time of inference plus plan for 3 chosen workloads, from listed objects (what follows the lists). */
export function benchOverlayPlan(workloads: number, runs: number): OverlayPlanBenchResult {
  const listed = listedOf(denseBaseline('main', workloads));
  const cpu: number[] = [];
  let calls = 0;
  for (let run = 0; run < runs; run++) {
    const start = process.cpuUsage();
    const graph = inferCallGraph('main', listed);
    planOverlay(graph, { only: ['svc-0', 'svc-1', 'svc-2'] });
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
    calls = [...graph.workloads.values()].reduce((n, w) => n + w.calls.length, 0);
  }
  return { workloads, calls, cpuMedianMs: round(median(cpu)), runs };
}

export interface OverlayCreateBenchResult {
  workloads: number;
  createMs: number;
  applied: number;
  overlayPods: number;
  fullCopyPods: number;
}

/**
 * Creates an overlay of 3 workloads (the entry points svc-0…2, whose callers are none) from a dense
 * baseline in the cluster: 3 workloads with their Services and ConfigMaps, and N-3 routed Services.
 * Timed once the baseline's pods run (see baselineSettled).
 */
export async function benchOverlayCreate(session: KubeSession, workloads: number, options: BaselineOptions = {}): Promise<OverlayCreateBenchResult> {
  const core = session.kc.makeApiClient(k8s.CoreV1Api);
  const apps = session.kc.makeApiClient(k8s.AppsV1Api);
  const base = `bench-overlay-${Date.now().toString(36)}`;
  const env = `${base}-dev`;
  const b = denseBaseline(base, workloads);
  try {
    await core.createNamespace({ body: { metadata: { name: base, labels: { 't-env.dev/baseline': 'true' } } } });
    await limited(b.configMaps, 16, (body) => core.createNamespacedConfigMap({ namespace: base, body: body as unknown as k8s.V1ConfigMap }));
    await limited(b.services, 16, (body) => core.createNamespacedService({ namespace: base, body: body as unknown as k8s.V1Service }));
    await limited(b.deployments, 16, (body) => apps.createNamespacedDeployment({ namespace: base, body: body as unknown as k8s.V1Deployment }));
    await baselineSettled(core, base, b.deployments.reduce((n, d) => n + ((d['spec'] as { replicas: number }).replicas), 0));
    const started = performance.now();
    const result = await createOverlay(session, { name: env, baseline: base, owner: 'bench', timezone: 'UTC', awakeHours: 'always' }, { only: ['svc-0', 'svc-1', 'svc-2'] }, options);
    const createMs = performance.now() - started;
    const copied = await apps.listNamespacedDeployment({ namespace: env });
    return {
      workloads, createMs: round(createMs), applied: result.applied,
      overlayPods: copied.items.reduce((n, d) => n + (d.spec?.replicas ?? 0), 0),
      fullCopyPods: b.deployments.reduce((n, d) => n + developerReplicas(d), 0),
    };
  } finally {
    await Promise.all([env, base].map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  }
}
