// Pod logs of a workload on the local control plane: prefixes, following, pods coming and going,
// an API-server restart mid-stream, a 1 MB line, invalid UTF-8, crash loops, 0 pods, RBAC, and
// that disposing leaves nothing open.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createWorkload, eventually, runningPods } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { streamWorkloadLogs, WorkloadLogStream } from '../../src/adapters/pod-logs.ts';
import type { LogSource, WorkloadLogOptions } from '../../src/adapters/pod-logs.ts';
import { ForbiddenError } from '../../src/core/errors.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const session = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const ns = `logs-it-${Date.now().toString(36)}`;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** Fast batching and retries, so that the tests wait seconds, not minutes. */
const FAST: WorkloadLogOptions = { batch: { flushIntervalMs: 20 }, retryDelayMs: { initial: 200, max: 2000 } };

interface Output {
  sink: (text: string) => void;
  readonly text: string;
  lines(): string[];
  errors: { error: Error; source: LogSource | undefined; willRetry: boolean }[];
  onError: (error: Error, source: LogSource | undefined, willRetry: boolean) => void;
}

function output(): Output {
  let text = '';
  const errors: Output['errors'] = [];
  return {
    sink: (t) => { text += t; },
    get text() { return text; },
    lines: () => text.split('\n').filter((l) => l !== ''),
    errors,
    onError: (error, source, willRetry) => { errors.push({ error, source, willRetry }); },
  };
}

async function waitForLine(out: Output, line: string | RegExp, timeoutMs = 20_000): Promise<void> {
  try {
    await eventually(`the line ${String(line)}`, () => Promise.resolve(out.lines().some((l) => (typeof line === 'string' ? l === line : line.test(l)))), timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- output so far ---\n${out.text.slice(-4000)}`);
  }
}

async function podsOf(app: string, count: number): Promise<string[]> {
  const pods = await eventually(`${count} running pods of ${app}`, async () => {
    const running = await runningPods(kc, ns, app);
    return running.length === count && running;
  }, 60_000);
  return pods.map((p) => p.metadata!.name!).sort();
}

async function scale(name: string, replicas: number): Promise<void> {
  await apps.patchNamespacedDeployment({ name, namespace: ns, body: { spec: { replicas } } }, mergePatch);
}

/** Lines of one pod's container as the stream showed them (label removed). */
function linesOf(out: Output, label: string): string[] {
  return out.lines().filter((l) => l.startsWith(label)).map((l) => l.slice(label.length));
}

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('workload logs on the local control plane', () => {
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });
  after(async () => {
    await core.deleteNamespace({ name: ns });
  });

  it('streams both pods of a 2-replica Deployment with pod prefixes, tail first, then appended lines', { timeout: 90_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'api', replicas: 2 });
    const pods = await podsOf('api', 2);
    for (const pod of pods) await cluster.appendLog(ns, pod, 'api', ['old 1', 'old 2', 'old 3', `tail from ${pod}`]);
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'api' }, out.sink, { ...FAST, tailLines: 2, onError: out.onError });
    try {
      await stream.start();
      for (const pod of pods) await waitForLine(out, `[${pod}] tail from ${pod}`);
      for (const pod of pods) await cluster.appendLog(ns, pod, 'api', ['after 1', 'after 2'], 'stderr');
      for (const pod of pods) await waitForLine(out, `[${pod}] after 2`);
      for (const pod of pods) {
        // Exactly the last 2 lines, then the followed ones, each once and in order.
        assert.deepEqual(linesOf(out, `[${pod}] `), ['old 3', `tail from ${pod}`, 'after 1', 'after 2']);
      }
    } finally {
      await stream.dispose();
    }
    assert.deepEqual(out.errors, []);
  });

  it('prints each container\'s tail once without -f, and resolves', { timeout: 30_000 }, async () => {
    const pods = await podsOf('api', 2);
    const out = output();
    await streamWorkloadLogs(session, ns, { name: 'api' }, out.sink, { follow: false, tailLines: 1, timestamps: true });
    assert.equal(out.lines().length, 2, out.text);
    for (const [i, pod] of pods.entries()) {
      assert.match(out.lines()[i]!, new RegExp(`^\\[${pod}\\] \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z after 2$`));
    }
  });

  it('picks up a new pod on scale-up and ends the stream of a deleted pod with a line', { timeout: 90_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'web', replicas: 1 });
    const [first] = await podsOf('web', 1);
    await cluster.appendLog(ns, first!, 'web', ['first pod up']);
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'web' }, out.sink, { ...FAST, tailLines: 10, onError: out.onError });
    try {
      await stream.start();
      await waitForLine(out, `[${first}] first pod up`);
      await scale('web', 2);
      const pods = await podsOf('web', 2);
      const second = pods.find((p) => p !== first)!;
      await waitForLine(out, `[${second}] --- new pod ---`);
      // Its Logs object only exists from now on: until then the log request fails and is retried.
      await cluster.appendLog(ns, second, 'web', ['second pod up']);
      await waitForLine(out, `[${second}] second pod up`);

      await core.deleteNamespacedPod({ name: first!, namespace: ns });
      await waitForLine(out, `[${first}] --- pod deleted; stream ended ---`);
      // kwok would keep serving the deleted pod's file: nothing more of it may appear.
      await cluster.appendLog(ns, first!, 'web', ['written after the delete']);
      await cluster.appendLog(ns, second, 'web', ['marker after the delete']);
      await waitForLine(out, `[${second}] marker after the delete`);
      await sleep(300);
      assert.ok(!out.text.includes('written after the delete'), out.text);
    } finally {
      await stream.dispose();
    }
  });

  it('resumes a quiet stream closed by the idle timeout without repeating lines', { timeout: 60_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'quiet', replicas: 1 });
    const [pod] = await podsOf('quiet', 1);
    await cluster.appendLog(ns, pod!, 'quiet', ['q1', 'q2']);
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { name: 'quiet' }, out.sink, { ...FAST, idleTimeoutMs: 800, onError: out.onError });
    try {
      await stream.start();
      await waitForLine(out, `[${pod}] q2`);
      await eventually('two idle timeouts', () => Promise.resolve(out.errors.filter((e) => /silent for 800 ms/.test(e.error.message)).length >= 2));
      await cluster.appendLog(ns, pod!, 'quiet', ['q3']);
      await waitForLine(out, `[${pod}] q3`);
      assert.deepEqual(out.lines(), [`[${pod}] q1`, `[${pod}] q2`, `[${pod}] q3`], 'silent and without repeats');
    } finally {
      await stream.dispose();
    }
  });

  it('cuts a 1 MB line with a marker and survives invalid UTF-8 and control bytes', { timeout: 60_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'raw', replicas: 1 });
    const [pod] = await podsOf('raw', 1);
    const { current } = await cluster.podLogFile(ns, pod!, 'raw');
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'raw' }, out.sink, { ...FAST, onError: out.onError });
    try {
      await stream.start();
      const ts = (): string => new Date().toISOString();
      fs.appendFileSync(current, `${ts()} stdout F ${'x'.repeat(1_048_576)}\n`);
      fs.appendFileSync(current, Buffer.concat([
        Buffer.from(`${ts()} stdout F bad:`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0xe2, 0x82]), Buffer.from(':end\n'),
        Buffer.from(`${ts()} stdout F still fine\n`),
      ]));
      await waitForLine(out, `[${pod}] still fine`);
      const lines = linesOf(out, `[${pod}] `);
      assert.equal(lines.length, 3, lines.map((l) => l.slice(0, 80)).join('\n'));
      assert.match(lines[0]!, /^x{16000,16384} … \[line cut: 1048576 bytes\]$/);
      // Invalid UTF-8 becomes U+FFFD; the NUL is shown escaped (core/sanitize.ts).
      assert.equal(lines[1], 'bad:\uFFFD\uFFFD\uFFFD(\\x00\uFFFD:end');
    } finally {
      await stream.dispose();
    }
  });

  it('shows the previous instance\'s last lines of a crash-looping container, labelled', { timeout: 90_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'crash', replicas: 1, behaviour: 'crash-loop' });
    const pod = await eventually('a restarted pod', async () => {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=crash' });
      const p = pods.items.find((i) => (i.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0);
      return p?.metadata?.name;
    }, 60_000);
    await cluster.setPreviousLog(ns, pod, 'crash', ['prev 1', 'prev 2', 'panic: boom']);
    await cluster.appendLog(ns, pod, 'crash', ['starting again']);
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'crash' }, out.sink, { ...FAST, tailLines: 2, onError: out.onError });
    try {
      await stream.start();
      await waitForLine(out, `[${pod}] starting again`);
      await waitForLine(out, new RegExp(`^\\[${pod}\\] --- last lines of the previous instance \\(restarts: \\d+\\) ---$`));
      assert.deepEqual(linesOf(out, `[${pod} previous] `), ['prev 2', 'panic: boom']);
    } finally {
      await stream.dispose();
    }
  });

  it('says a workload has no pods, then picks them up when it is scaled up', { timeout: 60_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'zero', replicas: 0 });
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'zero' }, out.sink, { ...FAST, onError: out.onError });
    try {
      await stream.start();
      await waitForLine(out, '--- No pods of Deployment zero yet; waiting for pods… ---');
      await scale('zero', 1);
      const [pod] = await podsOf('zero', 1);
      await cluster.appendLog(ns, pod!, 'zero', ['woke up']);
      await waitForLine(out, `[${pod}] woke up`);
      await scale('zero', 0);
      await waitForLine(out, '--- No pods of Deployment zero left; waiting for new pods… ---');
    } finally {
      await stream.dispose();
    }
  });

  it('labels containers of multi-container pods; endAll ends the streams, new pods are still picked up', { timeout: 90_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'multi', replicas: 1, containers: ['app', 'sidecar'] });
    const [pod] = await podsOf('multi', 1);
    await cluster.appendLog(ns, pod!, 'app', ['from app']);
    await cluster.appendLog(ns, pod!, 'sidecar', ['from sidecar']);
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'multi' }, out.sink, { ...FAST, onError: out.onError });
    try {
      await stream.start();
      await waitForLine(out, `[${pod}/app] from app`);
      await waitForLine(out, `[${pod}/sidecar] from sidecar`);
      stream.endAll('Environment went to sleep; log streams ended');
      assert.ok(out.lines().includes('--- Environment went to sleep; log streams ended ---'), 'endAll flushes its line at once');
      await cluster.appendLog(ns, pod!, 'app', ['after the end']);
      // A new pod (as after a wake) is followed again.
      await core.deleteNamespacedPod({ name: pod!, namespace: ns });
      const [next] = await eventually('the replacement pod', async () => {
        const running = (await runningPods(kc, ns, 'multi')).filter((p) => p.metadata?.name !== pod);
        return running.length === 1 && running.map((p) => p.metadata!.name!);
      }, 60_000);
      await cluster.appendLog(ns, next!, 'app', ['awake again']);
      await waitForLine(out, `[${next}/app] awake again`);
      assert.ok(!out.text.includes('after the end'), out.text);
      assert.ok(!out.text.includes(`[${pod}] --- pod deleted`), 'an ended pod is not reported again');
    } finally {
      await stream.dispose();
    }
  });

  it('reports RBAC refusals as typed errors: listing pods, and reading their logs', { timeout: 60_000 }, async () => {
    const nobody = loadKubeConfig({ kubeconfig: cluster.userKubeconfig('logs-it-nobody') });
    await assert.rejects(streamWorkloadLogs(nobody, ns, { name: 'api' }, () => undefined), (e: unknown) => e instanceof ForbiddenError && /list pods/.test(e.message));

    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'pods-no-logs' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: { metadata: { name: 'pods-no-logs' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods-no-logs' }, subjects: [{ kind: 'User', name: 'logs-it-viewer', apiGroup: 'rbac.authorization.k8s.io' }] },
    });
    const viewer = loadKubeConfig({ kubeconfig: cluster.userKubeconfig('logs-it-viewer') });
    const pods = await podsOf('api', 2);
    const out = output();
    const stream = new WorkloadLogStream(viewer, ns, { kind: 'Deployment', name: 'api' }, out.sink, { ...FAST, onError: out.onError });
    try {
      await eventually('the role to apply', async () => { await stream.start(); return true; }, 10_000);
      for (const pod of pods) await waitForLine(out, `[${pod}] --- cannot stream logs: Access denied: you may not get pods/log in namespace ${ns}. ---`);
      assert.ok(out.errors.every((e) => e.error instanceof ForbiddenError && !e.willRetry), String(out.errors.map((e) => e.error.message)));
    } finally {
      await stream.dispose();
    }
  });

  it('follows with streamWorkloadLogs (t logs -f) until its signal aborts', { timeout: 30_000 }, async () => {
    const pods = await podsOf('api', 2);
    const out = output();
    const controller = new AbortController();
    const done = streamWorkloadLogs(session, ns, { name: 'api' }, out.sink, { ...FAST, tailLines: 1, signal: controller.signal });
    try {
      for (const pod of pods) await waitForLine(out, `[${pod}] after 2`);
      await cluster.appendLog(ns, pods[0]!, 'api', ['followed by t logs -f']);
      await waitForLine(out, `[${pods[0]}] followed by t logs -f`);
    } finally {
      controller.abort();
    }
    await done; // resolves (not rejects) on abort
  });

  it('leaves no socket or timer behind after dispose', { timeout: 60_000 }, async () => {
    const pods = await podsOf('api', 2);
    // Idle keep-alive sockets of the test's own API calls close after ~4 s; let them go first.
    await sleep(5000);
    const before = handles();
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'api' }, out.sink, { ...FAST, tailLines: 1 });
    try {
      await stream.start();
      for (const pod of pods) await waitForLine(out, new RegExp(`^\\[${pod}\\] `));
      const during = handles();
      assert.ok((during['TCPSocketWrap'] ?? 0) >= (before['TCPSocketWrap'] ?? 0) + 2, `a connection per container while streaming: ${JSON.stringify(during)}`);
    } finally {
      await stream.dispose();
    }
    await sleep(100);
    const afterDispose = handles();
    for (const kind of ['TCPSocketWrap', 'Timeout']) {
      assert.ok((afterDispose[kind] ?? 0) <= (before[kind] ?? 0), `${kind}: before ${JSON.stringify(before)}, after ${JSON.stringify(afterDispose)}`);
    }
  });

  // Last: after a restart the controllers take a while to create pods again.
  it('resumes after an API server restart with no lost and no duplicated lines', { timeout: 120_000 }, async () => {
    await createWorkload(kc, ns, { kind: 'Deployment', name: 'steady', replicas: 1 });
    const [pod] = await podsOf('steady', 1);
    const expected: string[] = [];
    // Several lines per append share one millisecond timestamp: the resume must count them.
    const append = async (tag: string): Promise<void> => {
      const lines = [`${tag} a`, `${tag} b`, `${tag} c`];
      await cluster.appendLog(ns, pod!, 'steady', lines);
      expected.push(...lines);
    };
    for (let i = 0; i < 5; i++) await append(`before ${i}`);
    const out = output();
    const stream = new WorkloadLogStream(session, ns, { kind: 'Deployment', name: 'steady' }, out.sink, { ...FAST, onError: out.onError });
    try {
      await stream.start();
      await waitForLine(out, `[${pod}] before 4 c`);
      let restarted = false;
      const restart = cluster.restartApiServer(1500).then(() => { restarted = true; });
      for (let i = 0; !restarted; i++) {
        await append(`during ${i}`);
        await sleep(100);
      }
      await restart;
      for (let i = 0; i < 5; i++) await append(`after ${i}`);
      await waitForLine(out, `[${pod}] after 4 c`, 60_000);
      await sleep(500); // room for a duplicate to show up
      assert.deepEqual(linesOf(out, `[${pod}] `).filter((l) => !l.startsWith('---')), expected);
      assert.ok(expected.length > 30, 'lines were written while the server was down');
      assert.ok(out.errors.some((e) => e.source?.pod === pod && e.willRetry), 'the log stream really broke');
      await waitForLine(out, `[${pod}] --- log stream resumed ---`);
    } finally {
      await stream.dispose();
    }
  });
});
