// okteto 3.x as it is on a plain cluster, through the FAKE okteto CLI (test/fixtures/okteto-fake,
// which follows okteto's source file by file), and T-Env coping with it: each numbered point of
// issue #16 (platform sections, strict parsing, name:/selector, stop during start-up, SIGHUP,
// the dev volume, .stignore, okteto.log, error texts and file modes, the cluster side), asserting
// okteto's own texts; and Start Dev / `t dev start` with a manifest shaped like a real project.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import { loadKubeConfig } from '../../src/adapters/kube.ts';
import { loadWorkspaceManifest, oktetoRunFor, planDev, stopDevMode } from '../../src/adapters/dev-mode.ts';
import { OktetoCli } from '../../src/adapters/okteto-cli.ts';
import type { OktetoUpProcess } from '../../src/adapters/okteto-cli.ts';
import { loadManifest } from '../../src/adapters/okteto-manifest.ts';
import { OktetoSessionWatcher } from '../../src/adapters/okteto-session-watcher.ts';
import type { OktetoSessionEnd, OktetoStateEvent } from '../../src/adapters/okteto-session-watcher.ts';
import { readSession, stateDir, stopUp } from '../../src/adapters/okteto-state-folder.ts';
import type { DevTarget } from '../../src/core/okteto-cli.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const session = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const ns = `okteto-fid-${process.pid}`;
const root = path.resolve(import.meta.dirname, '..', '..');
const fakeDir = path.join(root, 'test', 'fixtures', 'okteto-fake');
const fake = path.join(fakeDir, 'okteto');
const nodeDir = path.dirname(process.execPath);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-okteto-fid-'));
const home = path.join(tmp, 'home');
const plain = path.join(tmp, 'plain');
const project = path.join(tmp, 'shop');
const baseEnv: NodeJS.ProcessEnv = {
  PATH: [fakeDir, nodeDir, '/usr/bin', '/bin'].join(path.delimiter), HOME: home, KUBECONFIG: cluster.kubeconfigPath, OKTETO_FAKE_STEP_MS: '100',
};
const running = new Set<OktetoUpProcess>();
const watchers = new Set<OktetoSessionWatcher>();

/** Like okteto/movies: build, deploy, test, icon, a name, and several dev entries (one by selector, one by name:). */
const PROJECT_MANIFEST = `name: shop
icon: https://example.com/shop.png
build:
  api:
    context: api
deploy:
  - kubectl apply -f k8s
test:
  unit:
    image: golang:1
    commands:
      - go test ./...
dev:
  api:
    image: okteto/golang:1
    command: bash
    sync:
      - ./api:/usr/src/app
    forward:
      - 8080:8080
  frontend:
    selector:
      app: web
    image: node:20
    sync:
      - ./web:/src
  db:
    name: cache
    image: redis:7
    persistentVolume:
      enabled: false
`;

interface Raw { code: number | null; out: string }

/** Runs the fake okteto directly (as okteto, not through T-Env), stdin closed unless given. */
function raw(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const child = spawn(fake, args, { cwd: options.cwd ?? plain, env: { ...baseEnv, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.stdin.end(options.input ?? '');
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function cli(extra: NodeJS.ProcessEnv = {}): Promise<OktetoCli> {
  return OktetoCli.locate(undefined, { ...baseEnv, ...extra });
}

function startUp(c: OktetoCli, target: DevTarget): OktetoUpProcess {
  const up = c.spawnUp(target);
  running.add(up);
  void up.exited.then(() => running.delete(up));
  return up;
}

async function watch(service: string, options: Partial<ConstructorParameters<typeof OktetoSessionWatcher>[0]> = {}): Promise<OktetoSessionWatcher> {
  const watcher = new OktetoSessionWatcher({ namespace: ns, service, home, ignoreExisting: true, stallMs: 400, timeoutMs: 60_000, ...options });
  watchers.add(watcher);
  await watcher.start();
  return watcher;
}

async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return undefined;
    throw error;
  }
}

const deployment = (name: string): Promise<k8s.V1Deployment | undefined> => readOrUndefined(() => apps.readNamespacedDeployment({ name, namespace: ns }));
const pvc = (name: string): Promise<k8s.V1PersistentVolumeClaim | undefined> => readOrUndefined(() => core.readNamespacedPersistentVolumeClaim({ name, namespace: ns }));

async function restored(name: string, replicas: number): Promise<void> {
  await eventually(`${name} restored`, async () => {
    const d = await deployment(name);
    return d?.spec?.replicas === replicas && d.metadata?.labels?.['dev.okteto.com'] === undefined && (await deployment(`${name}-okteto`)) === undefined;
  });
}

const plainTarget: DevTarget = { service: 'api', manifest: path.join(plain, 'okteto.yml'), namespace: ns, context: 'local' };

describe('okteto 3.x on a plain cluster (fake okteto CLI) and T-Env', () => {
  before(async () => {
    for (const dir of [home, plain, path.join(project, 'api'), path.join(project, 'web')]) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(plain, 'okteto.yml'), 'dev:\n  api:\n    image: okteto/golang:1\n    sync:\n      - .:/usr/src/app\n');
    fs.writeFileSync(path.join(project, 'okteto.yml'), PROJECT_MANIFEST);
    await createEnvironmentFixture(kc, { name: ns, owner: 'fid', workloads: [
      { kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'Deployment', name: 'web', replicas: 1 }, { kind: 'StatefulSet', name: 'cache', replicas: 1 },
    ] });
    await eventually('api running', async () => (await deployment('api'))?.status?.readyReplicas === 2);
  });

  after(async () => {
    for (const up of running) up.kill('SIGKILL');
    for (const watcher of watchers) await watcher.dispose();
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('1. platform sections and compose are refused by okteto before any pid or state file', async () => {
    const file = path.join(project, 'okteto.yml');
    for (const command of ['up', 'down']) {
      const result = await raw([command, 'api', '-f', file, '-n', ns]);
      assert.equal(result.code, 1);
      assert.match(result.out, /^ x {2}The following fields are only available installing Okteto in your cluster: build, deploy, test, icon, name$/m);
    }
    assert.equal(fs.existsSync(stateDir(home, ns, 'api')), false, 'no pid or state file');
    fs.writeFileSync(path.join(tmp, 'docker-compose.yml'), 'services:\n  api:\n    image: busybox\n');
    const compose = await raw(['up', 'api', '-f', path.join(tmp, 'docker-compose.yml'), '-n', ns]);
    assert.equal(compose.code, 1);
    assert.match(compose.out, /^ x {2}Docker Compose format is only available using the Okteto Platform$/m);
  });

  it('1+3. T-Env hands okteto a derived dev-only manifest; selector and name: pick the workload and the state folder', async () => {
    const c = await cli();
    const manifest = await loadWorkspaceManifest(project);
    // `frontend` has `selector: {app: web}`: it takes over Deployment web (okteto GetByDev).
    const plan = await planDev(session, { manifest, service: 'frontend', namespace: ns });
    assert.deepEqual([plan.workload.kind, plan.workload.name, plan.service.name, plan.target.service], ['Deployment', 'web', 'frontend', 'frontend']);
    const run = await oktetoRunFor(plan);
    assert.ok(run.derived);
    assert.ok(!run.derived.path.startsWith(project), 'written outside the workspace');
    assert.equal(fs.statSync(run.derived.path).mode & 0o777, 0o600);
    assert.match(run.note ?? '', /^okteto\.yml has name, icon, build, deploy, test, which okteto refuses without the Okteto platform: handing okteto its dev section alone, in .*okteto\.yml \(removed afterwards\)\.$/);
    assert.equal(run.target.cwd, project);
    const watcher = await watch('frontend');
    const up = startUp(c, run.target);
    await watcher.untilReady();
    assert.ok(fs.existsSync(path.join(stateDir(home, ns, 'frontend'), 'okteto.state')), 'state folder named after the dev name');
    assert.ok(fs.existsSync(path.join(project, 'web', '.stignore')), 'the sync folder resolved from the project, not the temporary folder');
    const web = await deployment('web');
    assert.equal(web?.metadata?.labels?.['dev.okteto.com'], 'true');
    assert.equal(web?.spec?.replicas, 0);
    assert.equal((await deployment('web-okteto'))?.spec?.template.metadata?.labels?.['interactive.dev.okteto.com'], 'frontend');
    await run.derived.remove();
    assert.equal(fs.existsSync(run.derived.path), false);

    // Stop Dev: stops the running `up` (SIGINT, its pid file goes), then `down` with the same derived manifest.
    const ended = new Promise<OktetoSessionEnd>((resolve) => watcher.once('ended', resolve));
    const stop = await stopDevMode(session, c, plan, { volumes: true });
    assert.equal(stop.up, 'stopped');
    assert.ok(stop.volume === 'absent' || stop.volume === 'removed', String(stop.volume));
    assert.equal((await up.exited).exitCode, 0);
    assert.equal((await ended).hangup, false);
    await restored('web', 1);

    // `db` has `name: cache`: StatefulSet cache, state folder ~/.okteto/<ns>/cache.
    const dbPlan = await planDev(session, { manifest, service: 'db', namespace: ns });
    assert.deepEqual([dbPlan.workload.kind, dbPlan.workload.name, dbPlan.service.name, dbPlan.target.service], ['StatefulSet', 'cache', 'cache', 'db']);
    const dbRun = await oktetoRunFor(dbPlan);
    const dbWatcher = await watch('cache');
    const states: string[] = [];
    dbWatcher.on('state', (e: OktetoStateEvent) => states.push(e.state));
    const dbUp = startUp(c, dbRun.target);
    await dbWatcher.untilReady();
    assert.ok(!states.includes('attaching'), '`persistentVolume.enabled: false`: no volume to attach');
    assert.equal((await readSession(ns, 'cache', { home }))?.pid, dbUp.pid);
    await dbRun.derived?.remove();
    await stopDevMode(session, c, dbPlan, { volumes: false });
    await eventually('cache restored', async () => (await apps.readNamespacedStatefulSet({ name: 'cache', namespace: ns })).spec?.replicas === 1);
  });

  it('1. `t dev start` and `t dev stop` succeed with the multi-service manifest', async () => {
    const state = path.join(home, '.okteto', ns, 'frontend', 'okteto.state');
    const t = (args: string[], onStart?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string }> => new Promise((resolve) => {
      const child = spawn(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', path.join(root, 'src', 'cli.ts'), ...args], {
        cwd: project, env: { ...baseEnv, NO_COLOR: '1', T_ENV_USER: 'fid', T_ENV_OKTETO_PATH: fake }, stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      onStart?.(child);
      child.on('exit', (code) => resolve({ code, out }));
    });
    const started = await t(['dev', 'start', 'frontend', '-e', ns], (child) => {
      const timer = setInterval(() => {
        if (fs.existsSync(state) && fs.readFileSync(state, 'utf8') === 'ready') { clearInterval(timer); child.stdin!.write('exit\n'); }
      }, 100);
      child.on('exit', () => clearInterval(timer));
    });
    assert.equal(started.code, 0, started.out);
    assert.match(started.out, /handing okteto its dev section alone/);
    assert.doesNotMatch(started.out, /only available installing Okteto/);
    const stopped = await t(['dev', 'stop', 'frontend', '-e', ns, '--json']);
    assert.equal(stopped.code, 0, stopped.out);
    await restored('web', 1);
    fs.writeFileSync(path.join(tmp, 'typo.yml'), PROJECT_MANIFEST.replace('    sync:\n      - ./web:/src', '    sycn:\n      - ./web:/src'));
    const typo = await t(['dev', 'start', 'frontend', '-e', ns, '-f', path.join(tmp, 'typo.yml')]);
    assert.equal(typo.code, 1);
    assert.match(typo.out, /typo\.yml:25: field 'sycn' is not a property of the 'dev' object\. Did you mean "sync"\?/);
    assert.doesNotMatch(typo.out, /okteto up/, 'refused before okteto is run');
  });

  it('2. strict parsing: okteto\'s errors for an unknown field, a wrongly typed image, dev.<svc>.namespace; T-Env says the same first', async () => {
    const bad = path.join(tmp, 'bad.yml');
    fs.writeFileSync(bad, 'dev:\n  api:\n    image: x\n    sycn:\n      - .:/app\n');
    const result = await raw(['up', 'api', '-f', bad, '-n', ns]);
    assert.equal(result.code, 1);
    assert.match(result.out, /^ x {2}Your okteto manifest is not valid, please check the following errors:\n {5}- line 4: field 'sycn' is not a property of the 'dev' object\. Did you mean "sync"\?$/m);
    await assert.rejects(loadManifest(bad, 'bad.yml'), (e: unknown) => e instanceof InvalidInputError
      && e.message === 'bad.yml:4: field \'sycn\' is not a property of the \'dev\' object. Did you mean "sync"?');
    fs.writeFileSync(bad, 'dev:\n  api:\n    image:\n      name: x\n    namespace: other\n');
    const typed = await raw(['up', 'api', '-f', bad, '-n', ns]);
    assert.match(typed.out, /- line 4: cannot unmarshal object into string/);
    assert.match(typed.out, /- line 5: field 'namespace' is not a property of the 'dev' object\./);
    await assert.rejects(loadManifest(bad, 'bad.yml'), (e: unknown) => e instanceof InvalidInputError && e.message === 'bad.yml:4: dev.api.image must be an image name (a string).');
    const huge = path.join(tmp, 'huge.yml');
    fs.writeFileSync(huge, `dev:\n  api: {}\n#${'x'.repeat(20 * 1024 * 1024)}\n`);
    await assert.rejects(loadManifest(huge, 'huge.yml'), (e: unknown) => e instanceof InvalidInputError && /^huge\.yml: the okteto manifest is 20\.0 MB, over the 1 MB limit\.$/.test(e.message));
  });

  it('4. a `down` while `up` is starting is undone by `up`; stopping `up` first makes it stick', async () => {
    // `up` stays in `attaching` until the test has run a whole `okteto down` (a new process), however
    // long that takes on a busy machine.
    const hold = path.join(home, `hold-${Date.now()}`);
    const c = await cli({ OKTETO_FAKE_SLOW_STATE: 'attaching', OKTETO_FAKE_HOLD_FILE: hold });
    const watcher = await watch('api');
    const up = startUp(c, plainTarget);
    await eventually('attaching', () => Promise.resolve(watcher.current?.state === 'attaching'), 20_000);
    await c.down(plainTarget);
    await restored('api', 2);
    fs.writeFileSync(hold, '');
    await watcher.untilReady();
    assert.equal((await deployment('api'))?.metadata?.labels?.['dev.okteto.com'], 'true', 'up reconnected and put dev mode back');
    assert.ok(await deployment('api-okteto'));
    up.kill('SIGINT');
    assert.equal((await up.exited).exitCode, 0);
    await c.down(plainTarget);
    await restored('api', 2);

    // T-Env's Stop Dev during start-up: SIGINT to `up`, its pid file gone, then `down`: it sticks.
    fs.rmSync(hold);
    const second = await watch('api');
    const again = startUp(c, plainTarget);
    await eventually('attaching again', () => Promise.resolve(second.current?.state === 'attaching'), 20_000);
    const plan = await planDev(session, { manifest: await loadWorkspaceManifest(plain), service: 'api', namespace: ns });
    const stop = await stopDevMode(session, c, plan, { volumes: false });
    assert.equal(stop.up, 'stopped');
    assert.equal((await again.exited).exitCode, 0);
    await restored('api', 2);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await deployment('api'))?.metadata?.labels?.['dev.okteto.com'], undefined, 'it stays restored');
    assert.equal((await deployment('api'))?.spec?.replicas, 2);
  });

  it('5–10. one `up`: volume and secret, file modes, cluster side, then SIGHUP leaves dev mode on', async () => {
    const c = await cli();
    const watcher = await watch('api');
    const states: string[] = [];
    watcher.on('state', (e: OktetoStateEvent) => states.push(e.state));
    const up = startUp(c, plainTarget);
    await up.spawned;
    await watcher.untilReady();
    // 6. the dev volume and the syncthing secret; `attaching` because there is a volume.
    assert.ok(states.includes('attaching'));
    assert.equal((await pvc('api-okteto'))?.spec?.resources?.requests?.['storage'], '5Gi');
    assert.ok(await core.readNamespacedSecret({ name: 'okteto-api', namespace: ns }));
    // 9. file modes (pkg/config/config.go).
    const dir = stateDir(home, ns, 'api');
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'okteto.state')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'okteto.log')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'okteto.pid')).mode & 0o777, 0o644);
    assert.equal(fs.readFileSync(path.join(dir, 'okteto.pid'), 'utf8'), String(up.pid), 'no trailing newline');
    // 8. okteto.log is logrus text.
    assert.ok(fs.readFileSync(path.join(dir, 'okteto.log'), 'utf8').trim().split('\n').every((l) => /^time="[^"]+" level=\w+ msg=/.test(l)));
    // 10. the cluster side.
    const original = await deployment('api');
    const copy = await deployment('api-okteto');
    assert.deepEqual(copy?.spec?.selector, original?.spec?.selector, 'the clone keeps the original\'s selector');
    assert.equal(original?.metadata?.annotations?.['dev.okteto.com/dev-mode'], 'sync');
    for (const key of ['dev.okteto.com/sync', 'dev.okteto.com/stignore']) {
      assert.ok(original?.metadata?.annotations?.[key], key);
      assert.equal(original?.spec?.template.metadata?.annotations?.[key], original?.metadata?.annotations?.[key], `${key} on the pod template`);
    }
    assert.ok(Object.keys(copy?.spec?.template.metadata?.labels ?? {}).some((k) => k.startsWith('dev.okteto.com/volume-')));
    const originalUpdate = original?.metadata?.managedFields?.map((f) => f.time?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0) ?? 0;
    assert.ok((copy?.metadata?.creationTimestamp?.getTime() ?? Infinity) <= originalUpdate, 'the clone first, then the original');

    // 5. SIGHUP (a closed terminal): exit 129, a dead pid in okteto.pid, the state file stays.
    const ended = new Promise<OktetoSessionEnd>((resolve) => watcher.once('ended', resolve));
    up.kill('SIGHUP');
    const exit = await up.exited;
    assert.deepEqual(exit, { exitCode: undefined, signal: 'SIGHUP' }, 'not handled: killed by the signal (a shell shows 129)');
    watcher.notifyExit(exit.exitCode, exit.signal);
    assert.equal((await ended).hangup, true);
    const left = await readSession(ns, 'api', { home });
    assert.equal(left?.pid, up.pid);
    assert.equal(left?.alive, false);
    assert.equal(left?.state, 'ready');
    assert.equal((await deployment('api'))?.metadata?.labels?.['dev.okteto.com'], 'true', 'dev mode left running');

    // 6. `down -v` on a service not in dev mode keeps the volume (cmd/down.go); T-Env's Stop Dev removes it.
    const down = await raw(['down', 'api', '-f', plainTarget.manifest, '-n', ns]);
    assert.equal(down.code, 0, down.out);
    await restored('api', 2);
    const again = await raw(['down', 'api', '-v', '-f', plainTarget.manifest, '-n', ns]);
    assert.match(again.out, /✓ {1,2}Development container 'api' deactivated/);
    assert.ok(await pvc('api-okteto'), 'okteto kept the volume');
    const plan = await planDev(session, { manifest: await loadWorkspaceManifest(plain), service: 'api', namespace: ns });
    const stop = await stopDevMode(session, c, plan, { volumes: true });
    assert.equal(stop.volume, 'removed');
    await eventually('PVC gone', async () => (await pvc('api-okteto'))?.metadata?.deletionTimestamp !== undefined || (await pvc('api-okteto')) === undefined);
  });

  it('5. SIGHUP before ready is reported as dev mode left running, not as a crash', async () => {
    const c = await cli({ OKTETO_FAKE_SLOW_STATE: 'attaching', OKTETO_FAKE_SLOW_MS: '5000' });
    const watcher = await watch('api');
    const failure = new Promise<{ reason: string; message: string }>((resolve) => watcher.once('failed', (f) => resolve({ reason: f.reason, message: f.error.message })));
    const up = startUp(c, plainTarget);
    await eventually('attaching', () => Promise.resolve(watcher.current?.state === 'attaching'), 20_000);
    up.kill('SIGHUP');
    const exit = await up.exited;
    watcher.notifyExit(exit.exitCode, exit.signal);
    assert.deepEqual(await failure, { reason: 'hangup', message: 'okteto up was closed (SIGHUP) while attaching the volume: dev mode left running; Stop Dev to restore.' });
    await c.down(plainTarget, { volumes: true });
    await restored('api', 2);
  });

  it('7. a missing .stignore makes `up` ask [Y/n] before any state, unless OKTETO_AUTOGENERATE_STIGNORE=true', async () => {
    const folder = path.join(tmp, 'nostignore');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'okteto.yml'), 'dev:\n  api:\n    sync:\n      - .:/app\n');
    const asked = await raw(['up', 'api', '-n', ns], { cwd: folder });
    assert.equal(asked.code, 1);
    assert.match(asked.out, new RegExp(`^ i {2}'.stignore' doesn't exist in folder '${folder}'\\.$`, 'm'));
    assert.match(asked.out, / \? {2}Do you want to infer defaults for the '\.stignore' file\? \(otherwise, it will be left blank\) \[Y\/n\]: /);
    assert.match(asked.out, new RegExp(`^ x {2}Failed to add '.stignore' to '${folder}': EOF$`, 'm'));
    assert.equal(fs.existsSync(stateDir(home, ns, 'api')), false, 'no state before the answer');
    assert.equal(fs.existsSync(path.join(folder, '.stignore')), false);
    // T-Env sets OKTETO_AUTOGENERATE_STIGNORE=true: okteto writes the defaults without asking.
    assert.equal((await cli()).processEnv()['OKTETO_AUTOGENERATE_STIGNORE'], 'true');
    const c = await cli();
    const target: DevTarget = { ...plainTarget, manifest: path.join(folder, 'okteto.yml') };
    const watcher = await watch('api');
    const up = startUp(c, target);
    await watcher.untilReady();
    assert.ok(fs.existsSync(path.join(folder, '.stignore')));
    assert.ok(!up.tail().some((l) => l.includes('[Y/n]')));
    assert.equal(await stopUp(ns, 'api', { home }), 'stopped');
    await c.down(target, { volumes: true });
    await restored('api', 2);
  });

  it('8. okteto.log carries no ` x ` line: the failure reason comes from the terminal\'s output', async () => {
    const c = await cli({ OKTETO_FAKE_CRASH_AT: 'synchronizing', OKTETO_FAKE_CRASH_MESSAGE: 'lost sync connection' });
    const up = startUp(c, plainTarget);
    const withOutput = await watch('api', { outputTail: () => up.tail() });
    const failure = await new Promise<string>((resolve) => withOutput.once('failed', (f) => resolve(f.error.message)));
    assert.equal(failure, 'okteto up failed while synchronizing files: lost sync connection');
    const log = fs.readFileSync(path.join(stateDir(home, ns, 'api'), 'okteto.log'), 'utf8');
    assert.doesNotMatch(log, / x {2}/);
    assert.doesNotMatch(log, /lost sync connection/);
    // pkg/log/plain.go: Success lines go to the terminal only, like Fail's.
    assert.ok(up.tail().some((l) => /✓\s+Images successfully pulled/.test(l)));
    assert.doesNotMatch(log, /successfully pulled/);
    await c.down(plainTarget, { volumes: true });
    await restored('api', 2);
  });

  it('9. okteto\'s error texts: unknown service in up and down, --version, OKTETO_FOLDER', async () => {
    const up = await raw(['up', 'nosuch', '-n', ns]);
    assert.equal(up.code, 1);
    assert.match(up.out, /^ x {2}'nosuch' is not defined in your okteto manifest$/m);
    const down = await raw(['down', 'nosuch', '-n', ns]);
    assert.match(down.out, /^ x {2}Development container 'nosuch' doesn't exist\n {4}Available options are: \[api\]$/m);
    const version = await raw(['--version']);
    assert.equal(version.code, 1);
    assert.match(version.out, /^ x {2}Unknown flag: --version$/m);
    const folder = await raw(['up', 'api', '-n', ns], { env: { OKTETO_FOLDER: path.join(tmp, 'missing-folder') } });
    assert.match(folder.out, new RegExp(`^ x {2}OKTETO_FOLDER doesn't exist: ${path.join(tmp, 'missing-folder')}$`, 'm'));
  });
});
