// The benchmark's cluster at scale: N environments × M workloads (Deployments, a StatefulSet and a
// CronJob each), most scaled to 0 so that the kwok node carries a realistic number of pods.
// Created once per cluster and reused by every scenario; creation time is reported.
import * as k8s from '@kubernetes/client-node';
import { createEnvironmentFixture } from '../test/fixtures/environments.ts';
import type { WorkloadSpec } from '../test/fixtures/environments.ts';
import { limited } from './stats.ts';

export interface ScaleFixture {
  environments: string[];
  workloadsPerEnvironment: number;
  pods: number;
  createSeconds: number;
}

export function scaleWorkloads(count: number): WorkloadSpec[] {
  return Array.from({ length: count }, (_, i): WorkloadSpec => {
    if (i === count - 1) return { kind: 'CronJob', name: `job-${i}` };
    if (i === count - 2) return { kind: 'StatefulSet', name: `db-${i}`, replicas: 1 };
    // Two running Deployments per environment; the rest exist with 0 replicas.
    return { kind: 'Deployment', name: `svc-${i}`, replicas: i < 2 ? 1 : 0 };
  });
}

export async function ensureScaleFixture(kc: k8s.KubeConfig, environments: number, workloadsPerEnvironment: number, log: (m: string) => void): Promise<ScaleFixture> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const names = Array.from({ length: environments }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  const existing = new Set((await core.listNamespace({ labelSelector: 't-env.dev/environment=true' })).items.map((n) => n.metadata!.name!));
  const missing = names.filter((n) => !existing.has(n));
  const started = performance.now();
  if (missing.length > 0) {
    log(`creating ${missing.length} environments × ${workloadsPerEnvironment} workloads…`);
    let done = 0;
    await limited(missing, 8, async (name, i) => {
      await createEnvironmentFixture(kc, {
        name, owner: `dev-${i % 50}`, timezone: ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'][i % 5]!,
        awakeHours: 'Mon-Fri 08:00-20:00', workloads: scaleWorkloads(workloadsPerEnvironment),
      });
      if (++done % 50 === 0) log(`  ${done}/${missing.length}`);
    });
  }
  const expectedPods = environments * 3;
  // Wait until the pods exist and run (controllers + scheduler + kwok catch up).
  for (;;) {
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'app' });
    const running = pods.items.filter((p) => p.metadata?.namespace?.startsWith('bench-') && p.status?.phase === 'Running').length;
    if (running >= expectedPods) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { environments: names, workloadsPerEnvironment, pods: expectedPods, createSeconds: (performance.now() - started) / 1000 };
}
