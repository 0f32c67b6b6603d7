// The `t` CLI end to end on the real control plane: schedule, sleep and wake with --json, the
// sleeper, logs, and dev mode with the okteto stand-in (test/fixtures/okteto-fake).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually, runningPods } from '../fixtures/environments.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const root = path.resolve(import.meta.dirname, '..', '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-cli-home-'));
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-cli-ws-'));
const ns = 'cli-it-fay';

interface Run { code: number | null; stdout: string; stderr: string }

function t(args: string[], options: { stdin?: (child: ReturnType<typeof spawn>) => void; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), ...args], {
      cwd: workspace,
      env: {
        ...process.env, KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: '1', HOME: home, T_ENV_USER: 'fay',
        T_ENV_OKTETO_PATH: path.join(root, 'test', 'fixtures', 'okteto-fake', 'okteto'), OKTETO_FAKE_STEP_MS: '100', ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    options.stdin?.(child);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('t CLI', () => {
  before(async () => {
    fs.writeFileSync(path.join(workspace, 'okteto.yml'), 'dev:\n  api:\n    image: busybox\n    command: sh\n    sync:\n      - .:/usr/src/app\n');
    await createEnvironmentFixture(kc, { name: ns, owner: 'fay', timezone: 'America/Sao_Paulo', awakeHours: 'Mon-Fri 09:00-18:00',
      workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'CronJob', name: 'report' }] });
    await eventually('api running', async () => (await runningPods(kc, ns, 'api')).length === 2);
  });
  after(async () => {
    await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('schedule next --json prints the documented shape, DST included', async () => {
    const r = await t(['schedule', 'next', '--hours', 'Mon-Fri 02:30-20:00', '--tz', 'Europe/Berlin', '--at', '2026-03-29T00:00:00Z', '--json']);
    assert.equal(r.code, 0, r.stderr);
    // Monday after the spring-forward Sunday: 02:30 Berlin (CEST) is 00:30 UTC.
    assert.deepEqual(JSON.parse(r.stdout), { awake: false, next: { action: 'wake', at: '2026-03-30T00:30:00.000Z' } });
    const bad = await t(['schedule', 'next', '--hours', 'Mon-Fri 08:00-25:00', '--tz', 'Europe/Berlin']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid time "25:00"/);
    const zone = await t(['schedule', 'next', '--hours', 'always', '--tz', 'Mars/Base']);
    assert.match(zone.stderr, /Unknown time zone "Mars\/Base"/);
  });

  it('schedule next --prewarm-minutes --holidays: a holiday is skipped, the wake comes early', async () => {
    // Wednesday 2026-12-23 18:00 Berlin; Thursday and Friday are holidays; Monday 08:00 is 07:00Z.
    const r = await t(['schedule', 'next', '--hours', 'Mon-Fri 08:00-18:00', '--tz', 'Europe/Berlin', '--at', '2026-12-23T17:00:00Z', '--holidays', '2026-12-24..2026-12-25', '--prewarm-minutes', '30', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { awake: false, next: { action: 'wake', at: '2026-12-28T06:30:00.000Z' } });
    const bad = await t(['schedule', 'next', '--hours', 'always', '--tz', 'UTC', '--holidays', '2026-12-32']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid holiday "2026-12-32"/);
  });

  it('env sleep and env wake --for, as JSON, keep the replica count', async () => {
    const slept = await t(['env', 'sleep', ns, '--json']);
    assert.equal(slept.code, 0, slept.stderr);
    assert.equal((JSON.parse(slept.stdout) as { changed: number }).changed, 2);
    const api = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    assert.equal(api.spec?.replicas, 0);
    assert.equal(api.metadata?.annotations?.['t-env.dev/replicas-before-sleep'], '2');
    const ls = await t(['env', 'ls', '--json']);
    assert.equal((JSON.parse(ls.stdout) as { name: string; state: string }[]).find((e) => e.name === ns)?.state, 'asleep');
    const woke = await t(['env', 'wake', ns, '--for', '3h', '--json']);
    assert.equal(woke.code, 0, woke.stderr);
    const until = Date.parse((JSON.parse(woke.stdout) as { awakeUntil: string }).awakeUntil);
    assert.ok(Math.abs(until - (Date.now() + 3 * 3_600_000)) < 120_000, 'awake for 3 h');
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace: ns })).spec?.replicas, 2);
    const usage = await t(['env', 'wake', ns, '--for', 'soon']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Invalid duration "soon"/);
  });

  it('sleeper --once reconciles and reports, one JSON event per line', async () => {
    const r = await t(['sleeper', '--once', '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.ok(events.some((e) => e.type === 'pass'), r.stdout);
  });

  it('logs prints every pod of the workload, prefixed', async () => {
    const pods = await runningPods(kc, ns, 'api');
    for (const p of pods) await cluster.appendLog(ns, p.metadata!.name!, 'api', [`hello from ${p.metadata!.name!}`]);
    const r = await t(['logs', 'api', '--tail', '10']);
    assert.equal(r.code, 0, r.stderr);
    for (const p of pods) assert.match(r.stdout, new RegExp(`^\\[${p.metadata!.name!}\\] hello from ${p.metadata!.name!}$`, 'm'));
    const bad = await t(['logs', 'api', '--tail', 'many']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid --tail "many"/);
  });

  it('dev start runs okteto up in the foreground and dev stop restores the workload', async () => {
    const state = path.join(home, '.okteto', ns, 'api', 'okteto.state');
    const started = await t(['dev', 'start', 'api'], {
      stdin: (child) => {
        // Like a developer typing in the dev container's shell once it is ready.
        const timer = setInterval(() => {
          if (fs.existsSync(state) && fs.readFileSync(state, 'utf8').trim() === 'ready') {
            clearInterval(timer);
            child.stdin!.write('exit\n');
          }
        }, 100);
        child.on('exit', () => clearInterval(timer));
      },
    });
    assert.equal(started.code, 0, started.stderr + started.stdout);
    assert.match(started.stdout + started.stderr, /okteto up api -f .*okteto\.yml -n cli-it-fay -c local/);
    const inDev = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    assert.equal(inDev.metadata?.labels?.['dev.okteto.com'], 'true');
    const stopped = await t(['dev', 'stop', 'api', '--json']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const restored = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    assert.equal(restored.spec?.replicas, 2);
    assert.equal(restored.metadata?.labels?.['dev.okteto.com'], undefined);
    const missing = await t(['dev', 'start', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /okteto\.yml: development container "nosuch" doesn't exist/);
    const noOkteto = await t(['dev', 'start', 'api'], { env: { T_ENV_OKTETO_PATH: '/nonexistent/okteto' } });
    assert.equal(noOkteto.code, 1);
    assert.doesNotMatch(noOkteto.stderr, /ENOENT/);
    assert.match(noOkteto.stderr, /okteto/i);
  });
});
