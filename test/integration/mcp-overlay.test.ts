// `t mcp` overlay tools end to end: a real MCP client (the SDK's Client over stdio) starts the
// CLI's MCP server; a baseline shaped like a multi-service shop (test/fixtures/overlay-shop.yaml)
// is deployed on the local control plane and a real git repository is made here. changed_services
// and plan_overlay answer what `t env changed --json` and `t env plan --json` print (bounded and
// sanitized), create_environment makes overlays (only, changed with a path, with, without) with
// progress, and bad input is refused with the CLI's message and hint, creating nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseAllDocuments } from 'yaml';
import { attachCluster } from '../cluster/cluster.ts';
import { runCli } from '../fixtures/cli.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const root = path.resolve(import.meta.dirname, '..', '..');
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const me = `mcpo-${run}`;
const base = `mcpo-shop-${run}`;
const plain = `mcpo-plain-${run}`;
const onlyEnv = `mcpo-only-${run}`;
const changedEnv = `mcpo-changed-${run}`;
const refusedEnv = `mcpo-refused-${run}`;
const namespaces = [base, plain, onlyEnv, changedEnv, refusedEnv];
const env = { KUBECONFIG: cluster.kubeconfigPath, T_ENV_USER: me };

const ROUTED_FOR_CART = ['ad', 'currency', 'email', 'payment', 'productcatalog', 'recommendation', 'redis-cart', 'shipping'];
const WORKLOADS = 'ad, cart, checkout, currency, email, frontend, partner-api, payment, productcatalog, recommendation, redis-cart, shipping';

let client: Client;
/** Every text a tool returned, to check that no credential ever appears in one. */
const returned: string[] = [];
let repo: string;
let manifest: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd, encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Generated files of cart, untracked: enough for a plan reason longer than 500 characters. */
const GENERATED = Array.from({ length: 60 }, (_, i) => `services/cart/gen/g${String(i).padStart(3, '0')}.go`);

/**
 * The shop's repository: `main`, then a branch `feature` that changes cart (committed; `release`
 * points there), adds generated cart files, a doc with a control character in its name, and 250
 * notes in no service.
 */
function repository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-mcp-overlay-'));
  git(dir, 'init', '-q', '-b', 'main');
  write(path.join(dir, 'okteto.yml'), 'build:\n  cart:\n    context: services/cart\n  docs: docs\ndev:\n  cart:\n    sync:\n      - services/cart:/app\n');
  for (const f of ['services/cart/main.go', 'services/checkout/main.go', 'docs/index.md', 'README.md']) write(path.join(dir, f), `${f}\n`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'shop');
  git(dir, 'checkout', '-q', '-b', 'feature');
  write(path.join(dir, 'services/cart/main.go'), 'changed on the branch\n');
  git(dir, 'commit', '-q', '-am', 'cart');
  git(dir, 'branch', 'release');
  write(path.join(dir, 'docs/evil\u001b[31m.md'), 'untracked\n');
  for (const f of GENERATED) write(path.join(dir, f), 'generated\n');
  for (let i = 0; i < 250; i++) write(path.join(dir, 'notes', `n${String(i).padStart(3, '0')}.txt`), `${i}\n`);
  return dir;
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  for (const c of result.content) if (c.type === 'text') returned.push(c.text);
  return result;
}

async function ok<T = Record<string, unknown>>(name: string, args: Record<string, unknown>, onprogress?: (message: string) => void): Promise<T> {
  const result = onprogress
    ? await client.callTool({ name, arguments: args }, undefined, { onprogress: (p) => onprogress(p.message ?? '') }) as CallToolResult
    : await call(name, args);
  assert.notEqual(result.isError, true, `${name} failed: ${JSON.stringify(result.content)}`);
  assert.ok(result.structuredContent, `${name} returns structured content`);
  const text = result.content[0];
  assert.equal(text?.type, 'text');
  assert.deepEqual(JSON.parse((text as { text: string }).text), result.structuredContent, 'the text is the same JSON');
  return result.structuredContent as T;
}

async function refused(name: string, args: Record<string, unknown>, message: RegExp, hint = /^hint: ./): Promise<void> {
  const result = await call(name, args);
  assert.equal(result.isError, true, `${name} should fail: ${JSON.stringify(result)}`);
  const [first, second, ...rest] = (result.content[0] as { text: string }).text.split('\n');
  assert.match(first!, message);
  assert.match(second ?? '', hint);
  assert.deepEqual(rest, [], 'one message and one hint');
}

async function names(list: Promise<{ items: k8s.KubernetesObject[] }>, filter: (o: k8s.KubernetesObject) => boolean = () => true): Promise<string[]> {
  return (await list).items.filter(filter).map((o) => o.metadata?.name ?? '').sort();
}
const routed = (o: k8s.KubernetesObject): boolean => o.metadata?.annotations?.['t-env.dev/routed-to'] === base;
const exists = (name: string): Promise<boolean> => core.readNamespace({ name }).then(() => true, () => false);

describe('t mcp overlay tools against the local control plane and a real git repository', () => {
  before(async () => {
    repo = repository();
    manifest = path.join(repo, 'okteto.yml');
    await core.createNamespace({ body: { metadata: { name: base, labels: { 't-env.dev/baseline': 'true' }, annotations: { 't-env.dev/git-ref': 'release' } } } });
    const text = fs.readFileSync(path.join(root, 'test', 'fixtures', 'overlay-shop.yaml'), 'utf8').replaceAll('BASELINE', base);
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS() as k8s.KubernetesObject;
      await objects.create({ ...obj, metadata: { ...obj.metadata, namespace: base } });
    }
    await core.createNamespace({ body: { metadata: { name: plain, labels: { 't-env.dev/environment': 'true', 't-env.dev/owner': me } } } });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), 'mcp'],
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stderr: 'pipe',
    });
    client = new Client({ name: 't-env-overlay-test', version: '1.0.0' });
    await client.connect(transport);
  });

  after(async () => {
    await client?.close();
    await Promise.all(namespaces.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('lists changed_services and plan_overlay as read-only, and create_environment with the overlay inputs', async () => {
    const { tools } = await client.listTools();
    for (const name of ['changed_services', 'plan_overlay']) {
      const tool = tools.find((t) => t.name === name);
      assert.ok(tool, `${name} is listed`);
      assert.deepEqual({ ...tool.annotations, title: undefined }, { title: undefined, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
      assert.ok(tool.description && tool.description.length > 50);
    }
    const changed = tools.find((t) => t.name === 'changed_services')!;
    assert.deepEqual(changed.inputSchema.required, ['path']);
    assert.deepEqual(Object.keys(changed.inputSchema.properties ?? {}).sort(), ['base', 'from', 'path']);
    const plan = tools.find((t) => t.name === 'plan_overlay')!;
    assert.deepEqual(plan.inputSchema.required, ['from']);
    const create = tools.find((t) => t.name === 'create_environment')!;
    for (const schema of [plan.inputSchema, create.inputSchema]) {
      const properties = schema.properties as Record<string, { type?: string; items?: { type?: string }; properties?: Record<string, unknown>; required?: string[] }>;
      for (const list of ['only', 'with', 'without']) assert.deepEqual([properties[list]?.type, properties[list]?.items?.type], ['array', 'string'], list);
      assert.equal(properties['changed']?.type, 'object');
      assert.deepEqual(Object.keys(properties['changed']?.properties ?? {}).sort(), ['base', 'path']);
      assert.deepEqual(properties['changed']?.required, ['path']);
    }
    assert.deepEqual(create.inputSchema.required, ['name']);
  });

  it('changed_services: what t env changed --json prints, sanitized, at most 200 names per list; from takes the baseline\'s git ref', async () => {
    const changed = await ok<{ base: string; services: { name: string; files: string[] }[]; unmapped: string[]; omitted: number }>('changed_services', { path: repo });
    const notes = Array.from({ length: 250 }, (_, i) => `notes/n${String(i).padStart(3, '0')}.txt`);
    assert.deepEqual(changed, {
      base: 'main',
      services: [{ name: 'cart', files: [...GENERATED, 'services/cart/main.go'] }, { name: 'docs', files: ['docs/evil\\x1b[31m.md'] }],
      unmapped: notes.slice(0, 200),
      omitted: 50,
    });
    const cli = await runCli(['env', 'changed', '--json', '-f', manifest], env);
    assert.equal(cli.code, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout) as { base: string; services: unknown; unmapped: string[] };
    assert.deepEqual(printed.unmapped, notes, 'the CLI lists all');
    assert.deepEqual({ ...printed, unmapped: printed.unmapped.slice(0, 200), omitted: 50 }, JSON.parse(JSON.stringify(changed).replaceAll('\\\\x1b', '\\u001b')),
      'the same shape and names as the CLI (with the control character escaped)');
    assert.deepEqual(await ok('changed_services', { path: manifest }), changed, 'the manifest\'s path works like its folder');

    const fromBaseline = await ok<{ base: string; services: { name: string; files: string[] }[] }>('changed_services', { path: repo, from: base });
    assert.equal(fromBaseline.base, 'release');
    assert.deepEqual(fromBaseline.services.find((s) => s.name === 'cart')?.files, GENERATED, 'cart\'s committed change is already in release');
    assert.equal((await ok<{ base: string }>('changed_services', { path: repo, from: base, base: 'main' })).base, 'main', 'an explicit base wins');

    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-mcp-plain-'));
    fs.copyFileSync(manifest, path.join(outside, 'okteto.yml'));
    await refused('changed_services', { path: outside }, /is not inside a git repository/);
    await refused('changed_services', { path: 'shop' }, /^The path "shop" is not absolute/, /^hint: Pass the absolute path of your git checkout/);
    await refused('changed_services', { path: path.join(outside, 'nosuch') }, /^The path ".*nosuch" does not exist\./);
    await refused('changed_services', { path: repo, base: 'no-such-branch' }, /None of the base refs "no-such-branch" exists/);
    await refused('changed_services', { path: repo, from: plain }, /is not a baseline/);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('plan_overlay: what t env plan --json prints, for only and for changed; changes nothing', async () => {
    const cart = await ok<Record<string, unknown>>('plan_overlay', { from: base, only: ['cart'] });
    assert.deepEqual(cart, {
      baseline: base,
      run: [
        { name: 'cart', reasons: ['chosen'] },
        { name: 'checkout', reasons: ['calls cart'] },
        { name: 'frontend', reasons: ['calls cart', 'calls checkout'] },
        { name: 'partner-api', reasons: ['calls checkout'] },
      ],
      routed: ROUTED_FOR_CART,
      shared: [{ from: 'cart', to: 'redis-cart' }],
      notWorkloads: [],
      omitted: 0,
      warnings: [],
    });
    const cli = await runCli(['env', 'plan', '--from', base, '--only', 'cart', '--json'], env);
    assert.equal(cli.code, 0, cli.stderr);
    const { notWorkloads: _n, omitted: _o, warnings: _w, ...shape } = cart;
    assert.deepEqual(shape, JSON.parse(cli.stdout), 'the same JSON as t env plan --json');

    const progress: string[] = [];
    const changed = await ok<{ run: { name: string; reasons: string[] }[]; notWorkloads: string[]; routed: string[] }>('plan_overlay',
      { from: base, changed: { path: repo, base: 'main' }, with: ['redis-cart'], without: ['partner-api'] }, (m) => progress.push(m));
    // The reason names every changed file: cut at 500 characters.
    const reason = `changed: ${[...GENERATED, 'services/cart/main.go'].join(', ')}`;
    assert.ok(reason.length > 500);
    assert.deepEqual(changed.run, [
      { name: 'cart', reasons: [`${reason.slice(0, 499)}…`] },
      { name: 'checkout', reasons: ['calls cart'] },
      { name: 'frontend', reasons: ['calls cart', 'calls checkout'] },
      { name: 'redis-cart', reasons: ['added with --with'] },
    ]);
    assert.deepEqual(changed.notWorkloads, ['docs'], 'a changed service that is no workload of the baseline');
    assert.ok(changed.routed.includes('partner-api'));
    assert.ok(progress.includes(`Reading the changes in ${repo}…`), progress.join(' | '));
    const cliChanged = await runCli(['env', 'plan', '--from', base, '--changed', '--base', 'main', '-f', manifest, '--with', 'redis-cart', '--without', 'partner-api', '--json'], env);
    assert.equal(cliChanged.code, 0, cliChanged.stderr);
    const cliRun = (JSON.parse(cliChanged.stdout) as { run: { name: string; reasons: string[] }[] }).run;
    assert.deepEqual(cliRun[0]?.reasons, [reason], 'the CLI prints the whole reason');
    assert.deepEqual(cliRun.slice(1), changed.run.slice(1));
    assert.ok(!(await core.listNamespace()).items.some((ns) => ns.metadata?.annotations?.['t-env.dev/baseline'] === base), 'planning created nothing');
  });

  it('create_environment with from and only: an overlay with progress; every other Service routed to the baseline', async () => {
    const progress: string[] = [];
    const result = await ok<{ baseline: string; owner: string; expiresAt: string; applied: number; rejected: unknown[]; plan: { run: { name: string }[]; routed: string[] } }>(
      'create_environment', { name: onlyEnv, from: base, only: ['cart'], ttl: '1h', awakeHours: 'always' }, (m) => progress.push(m));
    assert.equal(result.baseline, base);
    assert.equal(result.owner, me);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(result.plan.run.map((r) => r.name), ['cart', 'checkout', 'frontend', 'partner-api']);
    assert.deepEqual(result.plan.routed, ROUTED_FOR_CART);
    assert.ok(progress.some((m) => new RegExp(`^Copying ${base} into ${onlyEnv}: \\d+ of \\d+ objects$`).test(m)), progress.join(' | '));
    const ns = await core.readNamespace({ name: onlyEnv });
    assert.equal(ns.metadata?.labels?.['t-env.dev/owner'], me);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/overlay'], 'true');
    assert.equal(ns.metadata?.annotations?.['t-env.dev/baseline'], base);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/expires-at'], result.expiresAt);
    assert.equal(ns.metadata?.annotations?.['t-env.dev/copy-pending'], undefined, 'the copy finished');
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: onlyEnv })), ['cart', 'checkout', 'frontend', 'partner-api']);
    const services = core.listNamespacedService({ namespace: onlyEnv });
    assert.deepEqual(await names(services, routed), ROUTED_FOR_CART);
    const alias = await core.readNamespacedService({ namespace: onlyEnv, name: 'redis-cart' });
    assert.equal(alias.spec?.type, 'ExternalName');
    assert.equal(alias.spec?.externalName, `redis-cart.${base}.svc.cluster.local`);
    assert.equal((await core.readNamespacedService({ namespace: onlyEnv, name: 'cart' })).spec?.type, 'ClusterIP', 'a running workload\'s Service is a copy');
  });

  it('create_environment with from and changed (a path, with, without): runs the changed services and their callers', async () => {
    const progress: string[] = [];
    const result = await ok<{ plan: { run: { name: string }[]; notWorkloads: string[] } }>('create_environment',
      { name: changedEnv, from: base, changed: { path: manifest, base: 'main' }, with: ['redis-cart'], without: ['partner-api'], awakeHours: 'always' }, (m) => progress.push(m));
    assert.deepEqual(result.plan.run.map((r) => r.name), ['cart', 'checkout', 'frontend', 'redis-cart']);
    assert.deepEqual(result.plan.notWorkloads, ['docs']);
    assert.ok(progress[0]?.startsWith('Reading the changes in '), progress.join(' | '));
    assert.deepEqual(await names(apps.listNamespacedDeployment({ namespace: changedEnv })), ['cart', 'checkout', 'frontend']);
    assert.deepEqual(await names(apps.listNamespacedStatefulSet({ namespace: changedEnv })), ['redis-cart']);
    const partner = await core.readNamespacedService({ namespace: changedEnv, name: 'partner-api' });
    assert.equal(partner.spec?.type, 'ExternalName', 'without routes partner-api to the baseline');
    assert.equal(partner.metadata?.annotations?.['t-env.dev/routed-to'], base);
  });

  it('refuses unknown workloads, a namespace that is not a baseline and inconsistent inputs, creating nothing', async () => {
    const workloadsHint = new RegExp(`^hint: Workloads of ${base}: ${WORKLOADS}\\.$`);
    await refused('plan_overlay', { from: base, only: ['ghost'] }, new RegExp(`^--only: "ghost" is not a workload of the baseline ${base}\\.$`), workloadsHint);
    await refused('create_environment', { name: refusedEnv, from: base, only: ['cart'], with: ['carts'] }, /^--with: "carts" is not a workload of the baseline/, workloadsHint);
    await refused('create_environment', { name: refusedEnv, from: base, only: ['cart'], without: ['nosuch'] }, /^--without: "nosuch" is not a workload/, workloadsHint);
    await refused('create_environment', { name: refusedEnv, from: base, only: ['cart'], without: ['cart'] }, /^Nothing to run: no workload was chosen/);
    await refused('plan_overlay', { from: plain, only: ['cart'] }, /is not a baseline/);
    await refused('create_environment', { name: refusedEnv, from: plain, only: ['cart'] }, /is not a baseline/);
    await refused('create_environment', { name: refusedEnv, from: plain, changed: { path: repo } }, /is not a baseline/);
    await refused('create_environment', { name: refusedEnv, only: ['cart'] }, /^only, changed, with and without make an overlay of a baseline: they need from\.$/);
    await refused('create_environment', { name: refusedEnv, from: base, only: ['cart'], changed: { path: repo } }, /^Pass only or changed, not both\.$/);
    await refused('create_environment', { name: refusedEnv, from: base, with: ['cart'] }, /^with and without refine an overlay: they need only or changed\.$/);
    await refused('create_environment', { name: refusedEnv, from: base, changed: { path: 'relative' } }, /is not absolute/);
    await refused('plan_overlay', { from: base }, /^plan_overlay needs only or changed\.$/);
    assert.equal(await exists(refusedEnv), false, 'a refused create creates nothing');
    const invalid = await call('plan_overlay', { from: base, only: [] });
    assert.equal(invalid.isError, true, 'an empty only is refused by the schema');
  });

  it('nothing returned contains a credential of the kubeconfig', () => {
    const kubeconfig = new k8s.KubeConfig();
    kubeconfig.loadFromFile(cluster.kubeconfigPath);
    const secrets = kubeconfig.getUsers().flatMap((u) => [u.token, u.keyData, u.certData, u.keyFile, u.password]).filter((s): s is string => typeof s === 'string' && s.length > 8);
    const text = returned.join('\n');
    assert.ok(returned.length > 20, `${returned.length} results checked`);
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a credential leaked into a tool result');
  });
});
