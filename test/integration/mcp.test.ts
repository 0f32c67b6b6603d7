// `t mcp` end to end: a real MCP client (the SDK's Client over stdio) starts the CLI's MCP server,
// lists the tools, checks their schemas and annotations, and calls every tool against the local
// control plane, including the refusals (someone else's environment, a baseline, a namespace that
// is not an environment, a system namespace, confirm missing) and logs bounded and sanitized.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually, runningPods } from '../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const root = path.resolve(import.meta.dirname, '..', '..');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const me = `mcp-fay-${run}`;
const mine = `mcp-it-${run}-fay`;
const bobs = `mcp-it-${run}-bob`;
const baseline = `mcp-it-${run}-base`;
const plain = `mcp-it-${run}-plain`;
const created = `mcp-it-${run}-new`;
const copy = `mcp-it-${run}-copy`;
const namespaces = [mine, bobs, baseline, plain, created, `${created}-2`, copy];
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

const TOOLS = {
  list_environments: { readOnly: true, destructive: false },
  environment_status: { readOnly: true, destructive: false },
  logs: { readOnly: true, destructive: false },
  events: { readOnly: true, destructive: false },
  changed_services: { readOnly: true, destructive: false },
  plan_overlay: { readOnly: true, destructive: false },
  create_environment: { readOnly: false, destructive: false },
  refresh_environment: { readOnly: false, destructive: false },
  wake_environment: { readOnly: false, destructive: false },
  sleep_environment: { readOnly: false, destructive: false },
  keep_awake: { readOnly: false, destructive: false },
  set_image: { readOnly: false, destructive: true },
  delete_environment: { readOnly: false, destructive: true },
} as const;

let client: Client;
/** Every text a tool returned, to check that no credential ever appears in one. */
const returned: string[] = [];

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  for (const c of result.content) if (c.type === 'text') returned.push(c.text);
  return result;
}

async function ok<T = Record<string, unknown>>(name: string, args: Record<string, unknown>, onprogress?: (message: string) => void): Promise<T> {
  const result = onprogress ? await client.callTool({ name, arguments: args }, undefined, { onprogress: (p) => onprogress(p.message ?? '') }) as CallToolResult : await call(name, args);
  assert.notEqual(result.isError, true, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.ok(result.structuredContent, `${name} returns structured content`);
  const text = result.content[0];
  assert.equal(text?.type, 'text');
  assert.deepEqual(JSON.parse((text as { text: string }).text), result.structuredContent, 'the text is the same JSON');
  return result.structuredContent as T;
}

async function refused(name: string, args: Record<string, unknown>, message: RegExp, hint = /^hint: ./m): Promise<string> {
  const result = await call(name, args);
  assert.equal(result.isError, true, `${name} should fail: ${JSON.stringify(result)}`);
  const text = (result.content[0] as { text: string }).text;
  const [first, second] = text.split('\n');
  assert.match(first!, message);
  assert.match(second ?? '', hint);
  return text;
}

describe('t mcp (MCP server on stdio) against the local control plane', () => {
  before(async () => {
    await createEnvironmentFixture(kc, { name: mine, owner: me, workloads: [
      { kind: 'Deployment', name: 'api', replicas: 2 },
      { kind: 'Deployment', name: 'crashy', replicas: 1, behaviour: 'crash-loop' },
      { kind: 'Deployment', name: 'duo', replicas: 1, containers: ['app', 'sidecar'] },
    ] });
    await createEnvironmentFixture(kc, { name: bobs, owner: 'bob', workloads: [{ kind: 'Deployment', name: 'api', replicas: 1 }] });
    await createEnvironmentFixture(kc, { name: baseline, owner: me, workloads: [{ kind: 'Deployment', name: 'api', replicas: 1 }] });
    await core.patchNamespace({ name: baseline, body: { metadata: { labels: { 't-env.dev/baseline': 'true' } } } }, mergePatch);
    await core.createNamespacedConfigMap({ namespace: baseline, body: { metadata: { name: 'api-config' }, data: { LOG_LEVEL: 'info' } } });
    await core.createNamespace({ body: { metadata: { name: plain, labels: { 't-env.dev/owner': me } } } });
    await eventually('api running', async () => (await runningPods(kc, mine, 'api')).length === 2, 60_000);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), 'mcp'],
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: me },
      stderr: 'pipe',
    });
    client = new Client({ name: 't-env-integration-test', version: '1.0.0' });
    await client.connect(transport);
  });

  after(async () => {
    await client?.close();
    await Promise.all(namespaces.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  });

  it('lists every tool with a typed input schema and the MCP annotations; destructive tools take confirm', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
    for (const tool of tools) {
      const expected = TOOLS[tool.name as keyof typeof TOOLS];
      assert.equal(tool.inputSchema.type, 'object');
      assert.ok(tool.description && tool.description.length > 20, `${tool.name} has a description`);
      assert.equal(tool.annotations?.readOnlyHint, expected.readOnly, `${tool.name} readOnlyHint`);
      assert.equal(tool.annotations?.destructiveHint, expected.destructive, `${tool.name} destructiveHint`);
      assert.equal(typeof tool.annotations?.idempotentHint, 'boolean', `${tool.name} idempotentHint`);
      assert.equal(tool.annotations?.openWorldHint, false);
      const properties = tool.inputSchema.properties as Record<string, { type?: string }>;
      assert.equal('confirm' in properties, expected.destructive, `${tool.name}: confirm iff destructive`);
      // Every tool about one environment takes its name; the overlay tools take a baseline (from) or a checkout (path).
      if (!['list_environments', 'create_environment', 'changed_services', 'plan_overlay'].includes(tool.name)) assert.deepEqual(properties['name']?.type, 'string');
    }
    const logs = tools.find((t) => t.name === 'logs')!;
    assert.deepEqual(logs.inputSchema.required, ['name', 'workload']);
    assert.deepEqual((logs.inputSchema.properties as Record<string, unknown>)['tail'], { type: 'integer', minimum: 0, maximum: 2000, description: 'Last lines per container (default 100).' });
    assert.equal(tools.find((t) => t.name === 'create_environment')!.annotations?.idempotentHint, false);
  });

  it('list_environments: mine by default, everyone\'s with all: true, with the JSON of t env ls', async () => {
    const minesOnly = await ok<{ me: string; context: string; environments: { name: string; owner: string; expiresAt: string | null }[] }>('list_environments', {});
    assert.equal(minesOnly.me, me);
    const names = minesOnly.environments.map((e) => e.name);
    assert.ok(names.includes(mine) && names.includes(baseline), names.join());
    assert.ok(!names.includes(bobs) && !names.includes(plain));
    assert.ok(minesOnly.environments.every((e) => e.owner === me && 'expiresAt' in e));
    const all = await ok<{ environments: { name: string }[]; baselines: { name: string; gitRef: string | null }[] }>('list_environments', { all: true });
    assert.ok(all.environments.some((e) => e.name === bobs));
    assert.deepEqual(all.baselines.find((b) => b.name === baseline), { name: baseline, gitRef: null }, 'names the baselines to copy from');
    assert.ok(!all.baselines.some((b) => b.name === mine));
  });

  it('environment_status: workloads with pods and schedule; refuses non-environments and system namespaces', async () => {
    const status = await ok<{ name: string; state: string; workloads: { name: string; pods: { name: string; state: string }[] }[]; next: unknown }>('environment_status', { name: mine });
    assert.equal(status.name, mine);
    assert.equal(status.workloads.find((w) => w.name === 'api')?.pods.length, 2);
    assert.ok('next' in status && 'warnings' in status);
    assert.equal((status as { baseline?: unknown }).baseline, null, 'not made from a baseline');
    await refused('environment_status', { name: plain }, /is not a T-Env environment/);
    await refused('environment_status', { name: 'kube-system' }, /"kube-system" is a system namespace/);
    await refused('environment_status', { name: `${run}-nosuch` }, /does not exist/);
  });

  it('logs: every pod, prefixed, control characters escaped, since honoured, bounded at 64 KiB', async () => {
    const pods = (await runningPods(kc, mine, 'api')).map((p) => p.metadata!.name!).sort();
    const { current } = await cluster.podLogFile(mine, pods[0]!, 'api');
    const old = new Date(Date.now() - 2 * 3_600_000).toISOString();
    fs.appendFileSync(current, `${old} stdout F an old line\n`);
    await cluster.appendLog(mine, pods[0]!, 'api', ['hello \u001b[31mred\u001b[0m\r over\u0007 \u009b2J end']);
    await cluster.appendLog(mine, pods[1]!, 'api', ['from the second pod']);
    const logs = await ok<{ text: string; lines: number; truncated: boolean }>('logs', { name: mine, workload: 'api', tail: 50 });
    assert.equal(logs.truncated, false);
    // Control characters reach the agent only shown escaped (core/sanitize.ts), never raw.
    assert.match(logs.text, new RegExp(`^\\[${pods[0]!}\\] hello \\\\x1b\\[31mred`, 'm'));
    assert.match(logs.text, new RegExp(`^\\[${pods[1]!}\\] from the second pod$`, 'm'));
    assert.match(logs.text, /an old line/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(logs.text, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    const recent = await ok<{ text: string }>('logs', { name: mine, workload: 'api', since: '30m' });
    assert.doesNotMatch(recent.text, /an old line/);
    assert.match(recent.text, /from the second pod/);

    const long = 'x'.repeat(200);
    await cluster.appendLog(mine, pods[0]!, 'api', Array.from({ length: 1000 }, (_, i) => `line ${i} ${long}`));
    const bounded = await ok<{ text: string; lines: number; truncated: boolean }>('logs', { name: mine, workload: 'api', tail: 2000 });
    assert.equal(bounded.truncated, true);
    assert.ok(bounded.text.length <= 64 * 1024, `${bounded.text.length} chars`);
    assert.ok(bounded.text.length > 60 * 1024, 'fills the budget');
    assert.ok(bounded.text.endsWith('\n'), 'cut at a line end');
    assert.equal(bounded.lines, bounded.text.split('\n').length - 1);
    await refused('logs', { name: mine, workload: 'api', since: 'yesterday' }, /Invalid since "yesterday"/);
    await refused('logs', { name: plain, workload: 'api' }, /is not a T-Env environment/);
  });

  it('events: the warnings of a crash-looping workload', async () => {
    const events = await eventually('a BackOff warning', async () => {
      const r = await ok<{ warnings: { reason: string; workload: string }[] }>('events', { name: mine, workload: 'crashy' });
      return r.warnings.some((w) => w.reason === 'BackOff') && r;
    }, 90_000);
    assert.ok(events.warnings.every((w) => w.workload === 'crashy'));
    await refused('events', { name: mine, workload: 'nosuch' }, /The workload "nosuch" in .* does not exist/);
  });

  it('create_environment: owned by me, with a TTL (default 8 h); bad input changes nothing', async () => {
    const before = Date.now();
    const result = await ok<{ name: string; owner: string; expiresAt: string }>('create_environment', { name: created, ttl: '2h', timezone: 'Europe/Berlin', awakeHours: 'always' });
    assert.equal(result.owner, me);
    const ns = await core.readNamespace({ name: created });
    assert.equal(ns.metadata?.labels?.['t-env.dev/owner'], me);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/expires-at'], result.expiresAt);
    assert.ok(Math.abs(Date.parse(result.expiresAt) - (before + 2 * 3_600_000)) < 60_000);
    const second = await ok<{ expiresAt: string }>('create_environment', { name: `${created}-2` });
    assert.ok(Math.abs(Date.parse(second.expiresAt) - (Date.now() + 8 * 3_600_000)) < 60_000, 'default TTL 8 h');
    await refused('create_environment', { name: created }, /already exists/);
    await refused('create_environment', { name: 'Bad_Name' }, /not a valid DNS-1123 label/);
    await refused('create_environment', { name: `${created}-3`, ttl: '1m' }, /out of range/);
    await assert.rejects(core.readNamespace({ name: `${created}-3` }));
  });

  it('create_environment from a baseline copies it with a TTL and progress; environment_status summarizes the diff; refresh_environment updates what is behind', async () => {
    const progress: string[] = [];
    const result = await ok<{ name: string; owner: string; baseline: string; expiresAt: string; applied: number; rejected: unknown[] }>(
      'create_environment', { name: copy, from: baseline, ttl: '1h', awakeHours: 'always' }, (message) => progress.push(message));
    assert.equal(result.baseline, baseline);
    assert.equal(result.owner, me);
    assert.deepEqual(result.rejected, []);
    assert.ok(result.applied >= 2, `${result.applied} objects applied`);
    assert.ok(progress.some((m) => new RegExp(`^Copying ${baseline} into ${copy}: \\d+ of \\d+ objects$`).test(m)), progress.join(' | '));
    const ns = await core.readNamespace({ name: copy });
    assert.equal(ns.metadata?.labels?.['t-env.dev/owner'], me);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/baseline'], baseline);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/expires-at'], result.expiresAt);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/copy-pending'], undefined, 'the copy finished');
    assert.ok(Math.abs(Date.parse(result.expiresAt) - (Date.now() + 3_600_000)) < 60_000);
    assert.equal((await core.readNamespacedConfigMap({ name: 'api-config', namespace: copy })).data?.['LOG_LEVEL'], 'info');
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: copy })).spec?.template.spec?.containers[0]?.image, 'registry.example/api:1');

    type Diff = { name: string; counts: Record<string, number>; differences: { kind: string; name: string; status: string }[]; omitted: number; problem: string | null };
    const diffOf = async (): Promise<Diff> => (await ok<{ baseline: Diff }>('environment_status', { name: copy })).baseline;
    const fresh = await diffOf();
    assert.equal(fresh.name, baseline);
    assert.deepEqual(fresh.differences, [], 'a fresh copy is in sync');
    assert.equal(fresh.counts['in-sync'], result.applied);
    assert.equal(fresh.problem, null);

    // The baseline moves on (CI/CD deploys) and the agent deploys its own image into its copy.
    await core.patchNamespacedConfigMap({ name: 'api-config', namespace: baseline, body: { data: { LOG_LEVEL: 'warn' } } }, mergePatch);
    await core.createNamespacedConfigMap({ namespace: baseline, body: { metadata: { name: 'feature-flags' }, data: { NEW_UI: 'on' } } });
    await ok('set_image', { name: copy, workload: 'api', image: 'registry.example/team/api:agent', confirm: true });
    const drifted = await diffOf();
    assert.deepEqual(drifted.differences.map((d) => `${d.status} ${d.kind}/${d.name}`).sort(),
      ['behind ConfigMap/api-config', 'changed-here Deployment/api', 'only-in-baseline ConfigMap/feature-flags']);
    assert.equal(drifted.counts['behind'], 1);
    assert.equal(drifted.counts['changed-here'], 1);

    const refreshed = await ok<{ baseline: string; applied: number; skipped: string[]; rejected: unknown[] }>('refresh_environment', { name: copy }, () => undefined);
    assert.equal(refreshed.baseline, baseline);
    assert.equal(refreshed.applied, 2);
    assert.deepEqual(refreshed.skipped, ['Deployment/api was changed here; left alone (--force overwrites it)']);
    assert.equal((await core.readNamespacedConfigMap({ name: 'api-config', namespace: copy })).data?.['LOG_LEVEL'], 'warn');
    assert.equal((await core.readNamespacedConfigMap({ name: 'feature-flags', namespace: copy })).data?.['NEW_UI'], 'on');
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: copy })).spec?.template.spec?.containers[0]?.image, 'registry.example/team/api:agent', 'the agent\'s image stays');
    assert.deepEqual((await diffOf()).differences.map((d) => `${d.status} ${d.kind}/${d.name}`), ['changed-here Deployment/api']);
    assert.equal((await ok<{ applied: number }>('refresh_environment', { name: copy, only: ['api-config'] })).applied, 0, 'in sync: nothing to apply');

    await refused('refresh_environment', { name: bobs }, /belongs to bob, not to you/);
    await refused('refresh_environment', { name: baseline }, /is a baseline/);
    await refused('refresh_environment', { name: mine }, /was not created from a baseline/);
    await refused('create_environment', { name: `${copy}-2`, from: `${run}-nosuch` }, /The baseline ".*-nosuch" does not exist/, new RegExp(`^hint: Baselines in .*: .*${baseline}`, 'm'));
    await refused('create_environment', { name: `${copy}-2`, from: plain }, /is not a baseline/);
    await refused('create_environment', { name: copy, from: baseline }, /already exists \(an environment made from/);
    await assert.rejects(core.readNamespace({ name: `${copy}-2` }), 'a refused copy creates nothing');

    // A baseline that is gone is a problem line in the status, not a failed call.
    await core.patchNamespace({ name: copy, body: { metadata: { annotations: { 't-env.dev/baseline': `${run}-gone` } } } }, mergePatch);
    const orphan = await diffOf();
    assert.deepEqual(Object.keys(orphan), ['name', 'problem']);
    assert.match(orphan.problem ?? '', /The baseline ".*-gone" does not exist\. Baselines in /);
  });

  it('sleep, wake and keep_awake act on my environment and refuse someone else\'s, a baseline and a non-environment', async () => {
    const slept = await ok<{ changed: number; asleepUntil: string }>('sleep_environment', { name: mine });
    assert.ok(slept.changed >= 3);
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: mine })).spec?.replicas, 0);
    // It waits for ready pods, at most 45 s: the crash-looping workload never gets there, and the answer says so.
    const woke = await ok<{ awakeUntil: string; ready: boolean; waiting: string | null }>('wake_environment', { name: mine, for: '3h' });
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: mine })).spec?.replicas, 2);
    assert.equal(woke.ready, false);
    assert.match(woke.waiting ?? '', /was not ready after 45 s: .*Deployment\/crashy/);
    assert.ok(Math.abs(Date.parse(woke.awakeUntil) - (Date.now() + 3 * 3_600_000)) < 60_000);
    const kept = await ok<{ awakeUntil: string }>('keep_awake', { name: mine, for: '5h' });
    assert.equal((await core.readNamespace({ name: mine })).metadata?.annotations?.['t-env.dev/awake-until'], kept.awakeUntil);
    for (const tool of ['sleep_environment', 'wake_environment', 'keep_awake'] as const) {
      const args = tool === 'keep_awake' ? { for: '1h' } : {};
      await refused(tool, { name: bobs, ...args }, /belongs to bob, not to you/);
      await refused(tool, { name: baseline, ...args }, /is a baseline/);
      await refused(tool, { name: plain, ...args }, /is not a T-Env environment/);
      await refused(tool, { name: 'default', ...args }, /system namespace/);
    }
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: bobs })).spec?.replicas, 1, 'bob\'s environment untouched');
    await refused('keep_awake', { name: mine, for: 'a while' }, /Invalid for "a while"/);
  });

  it('set_image: needs confirm, changes one container of my workload, returns the previous image; refuses bad images and others\' environments', async () => {
    const args = { name: mine, workload: 'api', image: 'registry.example/team/api:2.0.0' };
    await refused('set_image', args, /set_image replaces the image of api .* needs confirm: true/);
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: mine })).spec?.template.spec?.containers[0]?.image, 'registry.example/api:1');
    const change = await ok<{ previousImage: string; image: string; container: string; kind: string }>('set_image', { ...args, confirm: true });
    assert.deepEqual({ ...change }, { environment: mine, kind: 'Deployment', workload: 'api', container: 'api', previousImage: 'registry.example/api:1', image: 'registry.example/team/api:2.0.0' });
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: mine })).spec?.template.spec?.containers[0]?.image, 'registry.example/team/api:2.0.0');
    await refused('set_image', { name: mine, workload: 'duo', image: 'a:1', confirm: true }, /has several containers \(app, sidecar\)/);
    const sidecar = await ok<{ previousImage: string }>('set_image', { name: mine, workload: 'duo', container: 'sidecar', image: 'sidecar:2', confirm: true });
    assert.equal(sidecar.previousImage, 'registry.example/duo:1');
    const duo = (await apps.readNamespacedDeployment({ name: 'duo', namespace: mine })).spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`);
    assert.deepEqual(duo, ['app=registry.example/duo:1', 'sidecar=sidecar:2']);
    await refused('set_image', { ...args, image: 'api:1; rm -rf /', confirm: true }, /is not an image reference/);
    await refused('set_image', { ...args, name: bobs, confirm: true }, /belongs to bob/);
    await refused('set_image', { ...args, workload: 'nosuch', confirm: true }, /The workload "nosuch" in .* does not exist/);
  });

  it('delete_environment: needs confirm, refuses others\' environments, baselines and non-environments, deletes mine', async () => {
    await refused('delete_environment', { name: created }, /needs confirm: true/);
    await core.readNamespace({ name: created });
    await refused('delete_environment', { name: bobs, confirm: true }, /belongs to bob/);
    await refused('delete_environment', { name: baseline, confirm: true }, /is a baseline/);
    await refused('delete_environment', { name: plain, confirm: true }, /is not a T-Env environment/);
    await refused('delete_environment', { name: 'kube-public', confirm: true }, /system namespace/);
    for (const name of [bobs, baseline, plain]) assert.equal((await core.readNamespace({ name })).status?.phase, 'Active');
    assert.deepEqual(await ok('delete_environment', { name: created, confirm: true }), { name: created, deleted: true });
    await assert.rejects(core.readNamespace({ name: created }), (e: unknown) => e instanceof k8s.ApiException && e.code === 404);
  });

  it('nothing returned contains a credential of the kubeconfig', () => {
    const kubeconfig = new k8s.KubeConfig();
    kubeconfig.loadFromFile(cluster.kubeconfigPath);
    const secrets = kubeconfig.getUsers().flatMap((u) => [u.token, u.keyData, u.certData, u.keyFile, u.password]).filter((s): s is string => typeof s === 'string' && s.length > 8);
    const text = returned.join('\n');
    assert.ok(returned.length > 30, `${returned.length} results checked`);
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a credential leaked into a tool result');
  });
});
