// Issue #17 performed against the real control plane and the real `t` CLI: hostile cluster data
// (terminal escapes in logs, events and annotations; a 100 KB awake-hours value; a bad time zone),
// a slow reader of `t logs -f`, credentials in exec-plugin output and server URLs, a rejected
// token, a manual wake landing in the middle of a sleeper pass. Each is refused or harmless.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually, runningPods } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { reconcileAll } from '../../src/adapters/sleeper.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const root = path.resolve(import.meta.dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-hostile-'));
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const owner = `hana-${run}`;
const ns = `hostile-${run}`;
const badZone = `hostile-${run}-zone`;
const hugeHours = `hostile-${run}-hours`;
const race = `hostile-${run}-race`;

// What a hostile container, event or annotation writes to take over a terminal.
const ESCAPES = [
  '\x1b]0;owned title\x07', '\x1b[2J\x1b[H', '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\', '\x1b]52;c;cm0gLXJmIH4=\x07',
  'ok\r\x1b[1A\x1b[2Kall tests passed', '\x1b[6n', '\u009b2J', 'a\x7fb',
];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

interface Run { code: number | null; stdout: string; stderr: string }

function t(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), ...args], {
      cwd: scratch, env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: '1', HOME: scratch, T_ENV_USER: owner, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function kubeconfigFile(name: string, server: string, user: Record<string, unknown>): string {
  const file = path.join(scratch, `${name}.kubeconfig`);
  fs.writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server, 'certificate-authority': path.join(cluster.dir, 'pki', 'ca.crt') } }],
    users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  }), { mode: 0o600 });
  return file;
}

describe('hostile cluster data and hostile conditions (issue #17)', () => {
  let pod = '';
  before(async () => {
    await createEnvironmentFixture(kc, { name: ns, owner, workloads: [{ kind: 'Deployment', name: 'api', replicas: 1 }] });
    await createEnvironmentFixture(kc, { name: badZone, owner, timezone: 'Mars/Olympus', annotations: { 't-env.dev/asleep-until': '2099-01-01T00:00:00Z' }, workloads: [] });
    await createEnvironmentFixture(kc, { name: hugeHours, owner, awakeHours: `a${' '.repeat(100_000)}b${ESCAPES.join('')}`, workloads: [] });
    pod = (await eventually('api running', async () => (await runningPods(kc, ns, 'api'))[0])).metadata!.name!;
    await cluster.appendLog(ns, pod, 'api', ['before', ...ESCAPES.map((e) => `attack ${e} end`), '\x1b[32mgreen\x1b[0m', 'after']);
    const now = new Date();
    await core.createNamespacedEvent({ namespace: ns, body: {
      metadata: { generateName: 'hostile-' }, involvedObject: { kind: 'Deployment', name: 'api', namespace: ns },
      reason: `Back\x1b]0;x\x07Off`, message: `failed ${ESCAPES.join(' ')}`, type: 'Warning', firstTimestamp: now, lastTimestamp: now, count: 1,
    } });
  });
  after(async () => {
    await Promise.all([ns, badZone, hugeHours, race].map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('t logs shows escape sequences escaped; --raw passes them as written (M2)', async () => {
    const shown = await t(['logs', 'api', '--env', ns]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.doesNotMatch(shown.stdout, CONTROL);
    assert.match(shown.stdout, /attack \\x1b\]52;c;cm0gLXJmIH4=\\x07 end/);
    assert.match(shown.stdout, /attack \\x9b2J end/);
    assert.match(shown.stdout, /\] after$/m);
    const raw = await t(['logs', 'api', '--env', ns, '--raw']);
    assert.ok(raw.stdout.includes('attack \x1b]52;c;cm0gLXJmIH4=\x07 end'));
  });

  it('t env events sanitizes reason and message as text, and --json stays exact (M2)', async () => {
    const text = await eventually('the hostile event listed', async () => {
      const r = await t(['env', 'events', ns]);
      return r.stdout.includes('failed') && r;
    });
    assert.doesNotMatch(text.stdout, CONTROL);
    assert.match(text.stdout, /Back\\x1b\]0;x\\x07Off/);
    const json = JSON.parse((await t(['env', 'events', ns, '--json'])).stdout) as { reason: string; message: string }[];
    assert.ok(json.some((e) => e.reason === 'Back\x1b]0;x\x07Off' && e.message.includes('\x1b]52;')));
  });

  it('t env ls --all: a bad zone and 100 KB of awake hours are one row each with a short, clean problem (M3, M4)', async () => {
    const r = await t(['env', 'ls', '--all']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, CONTROL);
    const line = (name: string): string => r.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    assert.match(line(badZone), /schedule problem: Unknown time zone "Mars\/Olympus"/);
    assert.match(line(hugeHours), /schedule problem: Invalid awake hours "a {20,}…" \(100\d{3} chars\): longer than 1024 characters/);
    assert.ok(r.stdout.split('\n').every((l) => l.length < 400), 'no line echoes a whole value');
    assert.match(line(ns), /awake/);
    const json = JSON.parse((await t(['env', 'ls', '--all', '--json'])).stdout) as { name: string; problem: string | null }[];
    assert.match(json.find((e) => e.name === badZone)?.problem ?? '', /Unknown time zone/);
  });

  it('the sleeper reports those problems cut and sanitized, in its output and in Events (M2, M3)', async () => {
    const r = await t(['sleeper', '--once']);
    assert.equal(r.code, 1, 'problems make the pass exit 1');
    assert.doesNotMatch(r.stdout, CONTROL);
    assert.ok(r.stdout.split('\n').every((l) => l.length < 2000), 'no line echoes a whole value');
    assert.match(r.stdout, new RegExp(`${hugeHours}: unchanged; problems: Invalid awake hours`));
    const events = await core.listNamespacedEvent({ namespace: hugeHours, fieldSelector: 'reason=SleepScheduleProblem' });
    const message = events.items[0]?.message ?? '';
    assert.match(message, /longer than 1024 characters/);
    assert.doesNotMatch(message, CONTROL);
  });

  it('t logs of a workload that does not exist fails and names the ones that do (L7)', async () => {
    const r = await t(['logs', 'nosuch', '--env', ns]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The workload nosuch in hostile-\S+ does not exist/);
    assert.match(r.stderr, /Workloads in hostile-\S+: api\./);
  });

  it('an absurd wake duration is a usage error, not "Invalid time value" (L7)', async () => {
    const r = await t(['env', 'wake', ns, '--for', '300000000d']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /too long: at most 366 days/);
    assert.doesNotMatch(r.stderr, /Invalid time value/);
  });

  it('a server URL\'s userinfo is never echoed (L7)', async () => {
    const file = kubeconfigFile('userinfo', 'https://alice:hunter2@127.0.0.1:1', { token: 'x' });
    const r = await t(['env', 'ls'], { KUBECONFIG: file });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2|alice/);
    assert.match(r.stderr, /127\.0\.0\.1:1/, 'the server is still named');
  });

  it('exec-plugin output is redacted like credentials (L3)', async () => {
    const leaky = path.join(scratch, 'leaky-plugin');
    fs.writeFileSync(leaky, '#!/bin/sh\necho "oauth2: cannot fetch token: refresh_token=1//0gSECRETrefresh client_secret=GOCSPX-SECRETclient" >&2\nexit 1\n', { mode: 0o755 });
    const raw = path.join(scratch, 'raw-plugin');
    fs.writeFileSync(raw, '#!/bin/sh\necho "eyJhbGciOiJSUzI1NiIsImtpZCI6IlNFQ1JFVCJ9.eyJzdWIiOiJTRUNSRVQifQ.c2lnbmF0dXJl"\n', { mode: 0o755 });
    for (const plugin of [leaky, raw]) {
      const file = kubeconfigFile(path.basename(plugin), cluster.server, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } });
      const r = await t(['env', 'ls'], { KUBECONFIG: file });
      assert.equal(r.code, 1, r.stdout);
      assert.doesNotMatch(r.stderr, /SECRET|eyJhbGci/, r.stderr);
      assert.match(r.stderr, /^error: /m);
    }
  });

  it('sleep and wake with a rejected token say 401, like every other command (L2)', async () => {
    const file = kubeconfigFile('bogus', cluster.server, { token: 'bogus-token-123' });
    for (const args of [['env', 'sleep', ns], ['env', 'wake', ns, '--no-wait'], ['env', 'sleep', ns], ['env', 'wake', ns, '--no-wait'], ['env', 'ls']]) {
      const r = await t(args, { KUBECONFIG: file });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /rejected your credentials \(401\)/, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /bogus-token/);
    }
  });

  it('t logs -f with a slow reader stays bounded in memory, drops nothing and warns of nothing (M6)', { timeout: 180_000 }, async () => {
    const child = spawn(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), 'logs', 'api', '--env', ns, '-f', '--tail', '0'], {
      cwd: scratch, env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: '1', HOME: scratch, T_ENV_USER: owner },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    try {
      // The reader does not read yet: the pipe fills and stays full.
      await new Promise((r) => setTimeout(r, 3000));
      const before = rss();
      const lines = 200_000;
      const body = 'x'.repeat(140);
      await cluster.appendLog(ns, pod, 'api', Array.from({ length: lines }, (_, i) => `line ${i} ${body}`));
      let peak = before;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 250));
        peak = Math.max(peak, rss());
      }
      // ~30 MB of log was offered; without backpressure the CLI read it all into memory.
      assert.ok(peak - before < 80, `RSS grew by ${Math.round(peak - before)} MB while the reader was stalled`);
      let received = '';
      let count = 0;
      let dropped = false;
      child.stdout.on('data', (d: Buffer) => {
        received += d.toString();
        const cut = received.lastIndexOf('\n');
        count += (received.slice(0, cut + 1).match(/ line \d+ x/g) ?? []).length;
        if (/lines dropped/.test(received.slice(0, cut + 1))) dropped = true;
        received = received.slice(cut + 1);
      });
      await eventually('every line delivered', async () => count >= lines, 120_000);
      assert.equal(count, lines);
      assert.equal(dropped, false, 'no line dropped');
      assert.doesNotMatch(stderr, /MaxListenersExceededWarning|warning/i);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('the sleeper re-reads a namespace before patching it: a manual wake during the pass is not slept (L1)', async () => {
    await createEnvironmentFixture(kc, { name: race, owner, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00',
      workloads: [{ kind: 'Deployment', name: 'web', replicas: 2 }] });
    const sunday = new Date('2026-01-11T12:00:00Z'); // asleep by the schedule
    const admin = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    let woken = false;
    const pass = await reconcileAll(admin, {
      selector: `t-env.dev/owner=${owner}`, include: (name) => name === race, now: sunday,
      hooks: {
        afterRequest: async (r) => {
          // Right after the pass listed the namespaces, someone wakes the environment by hand.
          if (woken || r.verb !== 'list' || r.resource !== 'namespaces' || !r.labelSelector?.startsWith('t-env.dev/environment=true')) return;
          woken = true;
          await core.patchNamespace({ name: race, body: { metadata: { annotations: { 't-env.dev/awake-until': '2026-01-11T18:00:00Z' } } } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
        },
      },
    });
    assert.ok(woken);
    const result = pass.environments.find((e) => e.name === race);
    assert.equal(result?.changed, 0);
    assert.match(result?.skipped.join() ?? '', /changed during the pass/);
    assert.equal((await apps.readNamespacedDeployment({ namespace: race, name: 'web' })).spec?.replicas, 2);
    // The next pass sees the manual wake and leaves it awake.
    const next = await reconcileAll(admin, { selector: `t-env.dev/owner=${owner}`, include: (name) => name === race, now: sunday });
    assert.equal(next.environments.find((e) => e.name === race)?.desired, 'awake');
  });
});
