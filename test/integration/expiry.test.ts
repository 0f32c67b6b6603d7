// Environments with a TTL on the local control plane: `t env create --ttl`, `t env ls --json`,
// `t env extend`, and the sleeper with a controlled clock: one Warning Event 15 minutes before
// expiry (once, across passes), deletion after it, and never a baseline, a system namespace, the
// sleeper's own namespace or an environment without expires-at.
import { after, describe, it } from 'node:test';
import { runCli } from '../fixtures/cli.ts';
import type { CliRun } from '../fixtures/cli.ts';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { reconcileAll } from '../../src/adapters/sleeper.ts';
import type { SleeperEvent } from '../../src/adapters/sleeper.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const admin = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `ttl-it-${run}`;
const selector = `t-env.dev/owner=${owner}`;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const made: string[] = [];

function t(args: string[]): Promise<CliRun> {
  return runCli(args, { KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: owner });
}

async function env(suffix: string, annotations: Record<string, string>, labels: Record<string, string> = {}): Promise<string> {
  const name = `ttl-it-${run}-${suffix}`;
  made.push(name);
  await createEnvironmentFixture(kc, { name, owner, annotations, workloads: [{ kind: 'Deployment', name: 'api', replicas: 1 }] });
  if (Object.keys(labels).length > 0) await core.patchNamespace({ name, body: { metadata: { labels } } }, mergePatch);
  return name;
}

async function phase(name: string): Promise<string> {
  try {
    const ns = await core.readNamespace({ name });
    return ns.metadata?.deletionTimestamp ? 'Terminating' : ns.status?.phase ?? 'unknown';
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return 'gone';
    throw error;
  }
}

async function expiryEvents(namespace: string): Promise<k8s.CoreV1Event[]> {
  return (await core.listNamespacedEvent({ namespace, fieldSelector: 'reason=EnvironmentExpiring' })).items;
}

describe('environments with a TTL', () => {
  after(async () => {
    await Promise.all(made.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('t env create --ttl writes expires-at; env ls --json shows expiresAt; env extend moves it; bad TTLs are usage errors', async () => {
    const name = `ttl-it-${run}-cli`;
    made.push(name);
    const before = Date.now();
    const created = await t(['env', 'create', name, '--ttl', '4h', '--timezone', 'UTC', '--awake-hours', 'always', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const expiresAt = (JSON.parse(created.stdout) as { expiresAt: string }).expiresAt;
    assert.ok(Math.abs(Date.parse(expiresAt) - (before + 4 * 3_600_000)) < 60_000);
    assert.equal((await core.readNamespace({ name })).metadata?.annotations?.['t-env.dev/expires-at'], expiresAt);
    const ls = await t(['env', 'ls', '--json']);
    assert.equal((JSON.parse(ls.stdout) as { name: string; expiresAt: string | null }[]).find((e) => e.name === name)?.expiresAt, expiresAt);
    const text = await t(['env', 'ls']);
    assert.match(text.stdout, new RegExp(`^${name} .*expires in 3 h 59 min|^${name} .*expires in 4 h`, 'm'));
    const extended = await t(['env', 'extend', name, '--ttl', '2h', '--json']);
    assert.equal(extended.code, 0, extended.stderr);
    const moved = (JSON.parse(extended.stdout) as { expiresAt: string }).expiresAt;
    assert.ok(Math.abs(Date.parse(moved) - (Date.now() + 2 * 3_600_000)) < 60_000);
    assert.equal((await core.readNamespace({ name })).metadata?.annotations?.['t-env.dev/expires-at'], moved);
    const bad = await t(['env', 'extend', name, '--ttl', 'later']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Invalid duration "later" for --ttl/);
    const missing = await t(['env', 'extend', name]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing --ttl/);
    const short = await t(['env', 'create', `${name}-x`, '--ttl', '1m']);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /out of range/);
    const plain = await t(['env', 'extend', 'kube-system', '--ttl', '2h']);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /"kube-system" belongs to the cluster/);
    assert.match(plain.stderr, /hint: Name one of your environments/);
  });

  it('the sleeper warns once 15 minutes before expiry, deletes after it, and never touches baselines, its own namespace or environments without a TTL', async () => {
    const expiresAt = new Date('2026-06-01T12:00:00Z');
    const annotations = { 't-env.dev/expires-at': expiresAt.toISOString() };
    const doomed = await env('doomed', annotations);
    const later = await env('later', { 't-env.dev/expires-at': '2026-06-02T12:00:00Z' });
    const forever = await env('forever', {});
    const base = await env('base', annotations, { 't-env.dev/baseline': 'true' });
    const own = await env('own', annotations);
    const corrupt = await env('corrupt', { 't-env.dev/expires-at': 'next week' });
    const pass = async (now: Date): Promise<SleeperEvent[]> => {
      const events: SleeperEvent[] = [];
      await reconcileAll(admin, { selector, now, expiry: { ownNamespace: own }, onEvent: (e) => events.push(e) });
      return events.filter((e) => e.type === 'expiry');
    };
    const outcome = (events: SleeperEvent[], name: string): string | undefined => {
      const e = events.find((x) => x.type === 'expiry' && x.outcome.name === name);
      return e?.type === 'expiry' ? e.outcome.action : undefined;
    };

    // An hour before: nothing but the corrupt annotation, reported.
    const early = await pass(new Date(expiresAt.getTime() - 3_600_000));
    assert.deepEqual(early.map((e) => e.type === 'expiry' && `${e.outcome.name}:${e.outcome.action}`), [`${corrupt}:problem`]);
    assert.equal((await expiryEvents(doomed)).length, 0);

    // Ten minutes before: one Warning Event, and not a second one on the next passes.
    const warned = await pass(new Date(expiresAt.getTime() - 10 * 60_000));
    assert.equal(outcome(warned, doomed), 'warned');
    assert.equal(outcome(warned, base), 'refused');
    assert.equal(outcome(warned, own), 'refused');
    assert.equal(outcome(warned, later), undefined);
    const again = await pass(new Date(expiresAt.getTime() - 5 * 60_000));
    assert.equal(outcome(again, doomed), undefined);
    const events = await expiryEvents(doomed);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'Warning');
    assert.match(events[0]!.message ?? '', /expires at 2026-06-01T12:00:00.000Z \(in 10 min\).*t env extend/);
    assert.equal((await expiryEvents(base)).length, 0);

    // A minute after: deleted; the others stay.
    const expired = await pass(new Date(expiresAt.getTime() + 60_000));
    assert.equal(outcome(expired, doomed), 'deleted');
    assert.match(await phase(doomed), /^(Terminating|gone)$/);
    for (const name of [later, forever, base, own, corrupt]) assert.equal(await phase(name), 'Active', name);
    const result = expired.find((e) => e.type === 'expiry' && e.outcome.name === base);
    assert.match(result?.type === 'expiry' ? result.outcome.detail : '', /is a baseline/);
  });

  it('an environment extended after the sleeper listed it is not deleted (uid and resourceVersion preconditions)', async () => {
    const name = await env('raced', { 't-env.dev/expires-at': '2026-06-01T12:00:00Z' });
    const { sweepExpired } = await import('../../src/adapters/expiry-sweep.ts');
    const listed = await core.readNamespace({ name });
    // Someone extends it between the sleeper's list and its delete.
    await core.patchNamespace({ name, body: { metadata: { annotations: { 't-env.dev/expires-at': '2026-06-01T18:00:00Z' } } } }, mergePatch);
    const { deleted, outcomes } = await sweepExpired(admin, [listed], new Date('2026-06-01T13:00:00Z'));
    assert.equal(deleted.size, 0);
    assert.deepEqual(outcomes, []);
    assert.equal(await phase(name), 'Active');
  });
});
