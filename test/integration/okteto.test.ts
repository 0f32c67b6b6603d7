// Dev mode against the real control plane, with the FAKE okteto CLI (test/fixtures/okteto-fake)
// on PATH: locating and version-checking the binary, `up` followed through its state file, the
// cluster changes of `up`/`down`, and each way it can go wrong (slow start, crash mid-sync, an
// okteto error, an old version, no okteto at all).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { attachCluster } from '../cluster/cluster.ts';
import { createEnvironmentFixture, eventually } from '../fixtures/environments.ts';
import { OktetoCli } from '../../src/adapters/okteto-cli.ts';
import type { OktetoUpProcess } from '../../src/adapters/okteto-cli.ts';
import { findManifest, loadManifest } from '../../src/adapters/okteto-manifest.ts';
import { OktetoSessionWatcher } from '../../src/adapters/okteto-session-watcher.ts';
import type { OktetoFailure, OktetoSessionEnd, OktetoStateEvent } from '../../src/adapters/okteto-session-watcher.ts';
import { readSession, stateDir } from '../../src/adapters/okteto-state-folder.ts';
import type { DevTarget } from '../../src/core/okteto-cli.ts';
import { CancelledError, CliFailedError, CliMissingError, InvalidInputError, NotFoundError } from '../../src/core/errors.ts';
import {
  ANNOTATION_OKTETO_REPLICAS, LABEL_OKTETO_CLONE, LABEL_OKTETO_DEV, LABEL_OKTETO_INTERACTIVE,
} from '../../src/core/environment.ts';
import { OKTETO_PROGRESS_STATES } from '../../src/core/okteto-manifest.ts';

const cluster = attachCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const ns = `dev-it-okteto-${process.pid}`;
const fakeDir = new URL('../fixtures/okteto-fake', import.meta.url).pathname;
const nodeDir = path.dirname(process.execPath);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-okteto-it-'));
const home = path.join(tmp, 'home');
const workspace = path.join(tmp, 'workspace');
const manifest = path.join(workspace, 'okteto.yml');
const target: DevTarget = { service: 'api', manifest, namespace: ns, context: 'local' };
const baseEnv: NodeJS.ProcessEnv = {
  PATH: [fakeDir, nodeDir, '/usr/bin', '/bin'].join(path.delimiter),
  HOME: home,
  KUBECONFIG: cluster.kubeconfigPath,
  OKTETO_FAKE_STEP_MS: '150',
};
const running = new Set<OktetoUpProcess>();
const watchers = new Set<OktetoSessionWatcher>();

async function cliWith(extra: NodeJS.ProcessEnv = {}): Promise<OktetoCli> {
  return OktetoCli.locate(undefined, { ...baseEnv, ...extra });
}

function startUp(cli: OktetoCli): OktetoUpProcess {
  const up = cli.spawnUp(target);
  running.add(up);
  void up.exited.then(() => running.delete(up));
  return up;
}

async function watch(options: Partial<ConstructorParameters<typeof OktetoSessionWatcher>[0]> = {}): Promise<OktetoSessionWatcher> {
  const watcher = new OktetoSessionWatcher({ namespace: ns, service: 'api', home, ignoreExisting: true, stallMs: 400, timeoutMs: 60_000, ...options });
  watchers.add(watcher);
  await watcher.start();
  return watcher;
}

function nextFailure(watcher: OktetoSessionWatcher): Promise<OktetoFailure> {
  return new Promise((resolve) => watcher.once('failed', resolve));
}

function nextEnd(watcher: OktetoSessionWatcher): Promise<OktetoSessionEnd> {
  return new Promise((resolve) => watcher.once('ended', resolve));
}

async function api(): Promise<k8s.V1Deployment> {
  return apps.readNamespacedDeployment({ name: 'api', namespace: ns });
}

async function clone(): Promise<k8s.V1Deployment | undefined> {
  try {
    return await apps.readNamespacedDeployment({ name: 'api-okteto', namespace: ns });
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 404) return undefined;
    throw error;
  }
}

async function devPodsRunning(): Promise<number> {
  const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `${LABEL_OKTETO_INTERACTIVE}=api` });
  return pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).length;
}

/** `okteto down` through OktetoCli, then the cluster as before `up`. */
async function downAndCheckRestored(cli: OktetoCli): Promise<void> {
  const output = await cli.down(target);
  assert.match(output, /✓\s+Development container 'api' deactivated/);
  const restored = await eventually('api restored and the copy gone', async () => {
    const d = await api();
    return d.spec?.replicas === 2 && (await clone()) === undefined && d;
  });
  assert.equal(restored.metadata?.labels?.[LABEL_OKTETO_DEV], undefined);
  assert.equal(restored.metadata?.annotations?.[ANNOTATION_OKTETO_REPLICAS], undefined);
  assert.equal(fs.existsSync(stateDir(home, ns, 'api')), false, 'down removes the service folder');
}

describe('okteto dev mode (fake okteto CLI)', () => {
  before(async () => {
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(manifest, 'dev:\n  api:\n    image: okteto/golang:1\n    sync:\n      - .:/usr/src/app\n    forward:\n      - 8080:8080\n');
    await createEnvironmentFixture(kc, { name: ns, owner: 'dev-it', workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }] });
    await eventually('api running', async () => (await api()).status?.readyReplicas === 2);
  });

  after(async () => {
    for (const up of running) up.kill('SIGKILL');
    for (const watcher of watchers) await watcher.dispose();
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the manifest by the CLI\'s names or the setting, and parses it', async () => {
    assert.equal(await findManifest(workspace), manifest);
    const other = path.join(tmp, 'other');
    fs.mkdirSync(path.join(other, '.okteto'), { recursive: true });
    fs.writeFileSync(path.join(other, '.okteto', 'okteto.yaml'), 'dev:\n  web: {}\n');
    assert.equal(await findManifest(other), path.join(other, '.okteto', 'okteto.yaml'));
    assert.equal(await findManifest(other, '../workspace/okteto.yml'), manifest);
    await assert.rejects(findManifest(tmp), (e: unknown) => e instanceof NotFoundError && /okteto\.yml/.test(e.message));
    await assert.rejects(findManifest(other, 'missing.yml'), (e: unknown) => e instanceof NotFoundError && /tenv\.manifestPath/.test(e.message));
    assert.deepEqual((await loadManifest(manifest)).dev.map((d) => d.name), ['api']);
    fs.writeFileSync(path.join(other, 'bad.yml'), 'dev:\n  api:\n    image: x\n   sync: []\n');
    await assert.rejects(loadManifest(path.join(other, 'bad.yml'), 'bad.yml'), (e: unknown) => e instanceof InvalidInputError && /^bad\.yml:4: /.test(e.message));
  });

  it('locates okteto on PATH and reads its version', async () => {
    const cli = await cliWith();
    assert.equal(cli.path, path.join(fakeDir, 'okteto'));
    assert.equal(cli.version, '3.21.0');
    const bySetting = await OktetoCli.locate(path.join(fakeDir, 'okteto'), { ...baseEnv, PATH: nodeDir });
    assert.equal(bySetting.path, path.join(fakeDir, 'okteto'));
  });

  it('absence: an actionable CliMissingError, never a spawn ENOENT', async () => {
    const check = (pattern: RegExp) => (e: unknown): boolean => {
      assert.ok(e instanceof CliMissingError, `expected CliMissingError, got ${String(e)}`);
      assert.match(e.message, pattern);
      assert.doesNotMatch(e.message, /ENOENT|spawn/);
      assert.deepEqual(e.actions, ['install', 'openSettings']);
      assert.match(e.hint ?? '', /https:\/\/www\.okteto\.com\/docs\/get-started\/install-okteto-cli\//);
      return true;
    };
    await assert.rejects(OktetoCli.locate(undefined, { ...baseEnv, PATH: [nodeDir, path.join(tmp, 'nowhere')].join(path.delimiter) }), check(/not found on PATH/));
    await assert.rejects(OktetoCli.locate(path.join(tmp, 'nowhere', 'okteto'), baseEnv), check(/tenv\.oktetoPath .* does not exist/));
    const notExecutable = path.join(tmp, 'okteto-not-executable');
    fs.writeFileSync(notExecutable, '#!/bin/sh\necho okteto version 3.21.0\n', { mode: 0o644 });
    await assert.rejects(OktetoCli.locate(notExecutable, baseEnv), check(/is not executable/));
    // A non-executable `okteto` earlier on PATH is skipped like a shell would.
    const shadow = path.join(tmp, 'shadow');
    fs.mkdirSync(shadow);
    fs.copyFileSync(notExecutable, path.join(shadow, 'okteto'));
    fs.chmodSync(path.join(shadow, 'okteto'), 0o644);
    assert.equal((await OktetoCli.locate(undefined, { ...baseEnv, PATH: [shadow, baseEnv['PATH']].join(path.delimiter) })).path, path.join(fakeDir, 'okteto'));
  });

  it('old version: CliMissingError naming the version found and the one needed', async () => {
    await assert.rejects(cliWith({ OKTETO_FAKE_VERSION: '3.16.2' }), (e: unknown) => {
      assert.ok(e instanceof CliMissingError);
      assert.match(e.message, /Found okteto 3\.16\.2 at .*okteto, but T-Env needs okteto 3\.17\.0 or newer\./);
      return true;
    });
    assert.equal((await cliWith({ OKTETO_FAKE_VERSION: '3.17.0' })).version, '3.17.0');
  });

  it('passes arguments as an array: spaces and ";" reach okteto as one argument each', async () => {
    const argsFile = path.join(tmp, 'args.jsonl');
    const marker = path.join(tmp, 'injected');
    const cli = await cliWith({ OKTETO_FAKE_ARGS_FILE: argsFile });
    const evil: DevTarget = { service: `api; touch ${marker}`, manifest, namespace: `${ns} $(touch ${marker})`, context: 'local' };
    assert.deepEqual(cli.upArgs(evil), ['up', `api; touch ${marker}`, '-f', manifest, '-n', `${ns} $(touch ${marker})`, '-c', 'local']);
    assert.deepEqual(cli.downArgs(target, { volumes: true }), ['down', 'api', '-f', manifest, '-n', ns, '-c', 'local', '-v']);
    assert.throws(() => cli.upArgs({ ...target, service: '--deploy' }), /not a valid service name/);
    await assert.rejects(cli.down(evil), (e: unknown) => {
      assert.ok(e instanceof CliFailedError);
      assert.equal(e.message, `okteto down api; touch ${marker} failed: Development container 'api; touch ${marker}' doesn't exist`);
      assert.equal(e.exitCode, 1);
      return true;
    });
    const seen = fs.readFileSync(argsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    assert.deepEqual(seen.at(-1), cli.downArgs(evil));
    assert.equal(fs.existsSync(marker), false, 'nothing was run by a shell');
  });

  it('a failure message: okteto\'s "x <message>" becomes the CliFailedError message, exit code 1', async () => {
    const failing = await cliWith({ OKTETO_FAKE_FAIL: `Namespace "${ns}-x" not found` });
    await assert.rejects(failing.down(target), (e: unknown) => {
      assert.ok(e instanceof CliFailedError);
      assert.equal(e.message, `okteto down api failed: Namespace "${ns}-x" not found`);
      assert.equal(e.exitCode, 1);
      assert.match(e.output, / x {2}Namespace ".*-x" not found/);
      return true;
    });
    // `up` in a namespace without the service: the real CLI's own error, through the watcher.
    const cli = await cliWith();
    const watcher = await watch();
    const up = cli.spawnUp({ ...target, namespace: `${ns}-missing` });
    running.add(up);
    const missingWatcher = new OktetoSessionWatcher({ namespace: `${ns}-missing`, service: 'api', home, ignoreExisting: true, stallMs: 400, outputTail: () => up.tail() });
    watchers.add(missingWatcher);
    await missingWatcher.start();
    const failure = nextFailure(missingWatcher);
    const { exitCode } = await up.exited;
    assert.equal(exitCode, 1);
    missingWatcher.notifyExit(exitCode);
    const f = await failure;
    assert.equal(f.reason, 'exited');
    assert.match(f.error.message, new RegExp(`^okteto up failed while activating: Application 'api' not found in namespace '${ns}-missing'$`));
    assert.equal(f.error.exitCode, 1);
    assert.ok(f.lastLines.some((l) => l.includes('x  Application')));
    assert.equal(watcher.current, undefined, 'nothing happened to the real service');
    await watcher.dispose();
  });

  it('cancels `okteto down` through an AbortSignal', async () => {
    const cli = await cliWith();
    await assert.rejects(cli.down(target, { signal: AbortSignal.abort() }), (e: unknown) => e instanceof CancelledError);
  });

  it('success: states in order up to ready, the cluster in dev mode, re-attach, then down restores', async () => {
    const cli = await cliWith();
    const states: OktetoStateEvent[] = [];
    const up = startUp(cli);
    const watcher = await watch({ outputTail: () => up.tail() });
    watcher.on('state', (e) => states.push(e));
    await up.spawned;
    const ready = await watcher.untilReady();
    // `pulling` only when the cluster reports an image pull, which this control plane never does.
    assert.deepEqual(states.map((s) => s.state), OKTETO_PROGRESS_STATES.filter((s) => s !== 'pulling'));
    assert.equal(ready.label, 'ready');
    assert.ok(states.every((s, i) => i === 0 || s.at >= states[i - 1]!.at), 'timestamps in order');
    assert.equal(states.find((s) => s.state === 'synchronizing')?.label, 'synchronizing files');

    const original = await api();
    assert.equal(original.metadata?.labels?.[LABEL_OKTETO_DEV], 'true');
    assert.equal(original.metadata?.annotations?.[ANNOTATION_OKTETO_REPLICAS], '2');
    assert.equal(original.spec?.replicas, 0);
    const copy = await clone();
    assert.equal(copy?.metadata?.labels?.[LABEL_OKTETO_CLONE], original.metadata?.uid);
    assert.equal(copy?.spec?.replicas, 1);
    assert.equal(copy?.spec?.template.metadata?.labels?.[LABEL_OKTETO_INTERACTIVE], 'api');
    assert.equal(await devPodsRunning(), 1);
    await eventually('the original scaled to 0', async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=api' })).items
      .filter((p) => !p.metadata?.deletionTimestamp && !p.metadata?.labels?.[LABEL_OKTETO_INTERACTIVE]).length === 0);
    assert.ok(up.tail().some((l) => /✓\s+Files synchronized/.test(l)));
    assert.ok(up.tail().some((l) => l.includes(`${ns}:api app>`)), 'the dev container shell prompt');
    up.write('echo hello\n');
    await eventually('the shell echoes', () => Promise.resolve(up.tail().some((l) => l.endsWith('echo hello'))), 5000);

    // A VS Code reload: read the session back and follow it without a fresh start.
    const session = await readSession(ns, 'api', { home });
    assert.equal(session?.state, 'ready');
    assert.equal(session?.alive, true);
    assert.equal(session?.pid, up.pid);
    const reattached = await watch({ ignoreExisting: false });
    assert.equal((await reattached.untilReady()).state, 'ready');

    // `down` while `up` runs: the service is restored and `up` leaves its shell by itself.
    const ended = nextEnd(watcher);
    await downAndCheckRestored(cli);
    const { exitCode } = await up.exited;
    assert.equal(exitCode, 0);
    assert.equal((await ended).crashed, false);
    assert.equal(await readSession(ns, 'api', { home }), undefined);
  });

  it('slow start: the timeout becomes a failure naming the last state', async () => {
    const cli = await cliWith({ OKTETO_FAKE_SLOW_STATE: 'attaching', OKTETO_FAKE_SLOW_MS: '30000' });
    const up = startUp(cli);
    // Long enough to reach `attaching` on a busy machine (secret, volume, clone and original come first).
    const watcher = await watch({ timeoutMs: 8000, outputTail: () => up.tail() });
    const failure = await nextFailure(watcher);
    assert.equal(failure.reason, 'timeout');
    assert.equal(failure.state, 'attaching');
    assert.equal(failure.error.message, 'okteto up was not ready after 8 s (last state: attaching the volume).');
    assert.ok(failure.error instanceof CliFailedError);
    await assert.rejects(watcher.untilReady(), (e: unknown) => e === failure.error);
    up.kill('SIGTERM');
    await up.exited;
    await downAndCheckRestored(cli);
  });

  it('crash mid-sync: the dead pid in okteto.pid becomes a failure with okteto\'s last lines', async () => {
    const cli = await cliWith({ OKTETO_FAKE_CRASH_AT: 'synchronizing', OKTETO_FAKE_CRASH_MESSAGE: 'lost sync connection' });
    const up = startUp(cli);
    // One watcher sees okteto's output (as a terminal would), one only the files on disk.
    const withOutput = await watch({ outputTail: () => up.tail() });
    const filesOnly = await watch();
    const states: string[] = [];
    withOutput.on('state', (e) => states.push(e.state));
    const [failure, fromFiles] = await Promise.all([nextFailure(withOutput), nextFailure(filesOnly)]);
    assert.equal((await up.exited).exitCode, 1);
    assert.equal(states.at(-1), 'synchronizing');
    assert.equal(failure.reason, 'crashed');
    assert.equal(failure.state, 'synchronizing');
    assert.equal(failure.error.message, 'okteto up failed while synchronizing files: lost sync connection');
    assert.ok(failure.lastLines.some((l) => /x {2}lost sync connection/.test(l)));
    assert.ok(failure.lastLines.some((l) => /Images successfully pulled/.test(l)));
    assert.equal(fromFiles.reason, 'crashed');
    assert.match(fromFiles.error.message, /^okteto up \(pid \d+\) stopped unexpectedly while synchronizing files\.$/);
    // okteto.log (logrus text) never has the ` x ` line: only the terminal's output gives the reason.
    assert.ok(fromFiles.lastLines.length > 0 && fromFiles.lastLines.every((l) => l.startsWith('time=')), 'okteto.log\'s tail');
    assert.ok(!fromFiles.lastLines.some((l) => l.includes('lost sync connection')));
    const session = await readSession(ns, 'api', { home });
    assert.equal(session?.pid, up.pid, 'the pid file still names the crashed process');
    assert.equal(session?.alive, false);
    await downAndCheckRestored(cli);
  });

  it('runs `okteto up` in the foreground for the CLI and returns its exit code', async () => {
    const cli = await cliWith({ OKTETO_FAKE_FAIL: 'stopped before touching the cluster' });
    const sigintListeners = process.listenerCount('SIGINT');
    assert.deepEqual(await cli.runUpForeground(target), { exitCode: 1, signal: undefined });
    assert.equal(process.listenerCount('SIGINT'), sigintListeners, 'the temporary SIGINT handler is gone');
    const gone = new OktetoCli(path.join(tmp, 'vanished', 'okteto'), '3.21.0', baseEnv);
    await assert.rejects(gone.runUpForeground(target), (e: unknown) => e instanceof CliMissingError && /can no longer be run \(ENOENT\)/.test(e.message));
  });

  it('SIGTERM to `okteto up` leaves dev mode on; down restores', async () => {
    const cli = await cliWith();
    const up = startUp(cli);
    const watcher = await watch({ pid: (await up.spawned, up.pid!) });
    await watcher.untilReady();
    const ended = nextEnd(watcher);
    up.kill('SIGTERM');
    assert.deepEqual(await up.exited, { exitCode: 0, signal: undefined });
    const end = await ended;
    assert.equal(end.crashed, false);
    assert.equal(fs.existsSync(path.join(stateDir(home, ns, 'api'), 'okteto.pid')), false, 'a clean exit removes the pid file');
    // cmd/up/up.go: SIGTERM takes the Ctrl+C path, and its log says so.
    assert.match(fs.readFileSync(path.join(stateDir(home, ns, 'api'), 'okteto.log'), 'utf8'), /level=info msg="CTRL\+C received, starting shutdown sequence"/);
    const original = await api();
    assert.equal(original.metadata?.labels?.[LABEL_OKTETO_DEV], 'true');
    assert.equal(original.spec?.replicas, 0);
    assert.ok(await clone(), 'the -okteto copy stays');
    await downAndCheckRestored(cli);
  });
});

describe('OktetoSessionWatcher on its own (files written by the test)', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-okteto-watch-'));
  const dir = stateDir(base, 'w-ns', 'api');
  const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  const own: OktetoSessionWatcher[] = [];
  const make = async (options: Partial<ConstructorParameters<typeof OktetoSessionWatcher>[0]> = {}): Promise<OktetoSessionWatcher> => {
    const watcher = new OktetoSessionWatcher({ namespace: 'w-ns', service: 'api', home: base, stallMs: 200, timeoutMs: 10_000, ...options });
    own.push(watcher);
    await watcher.start();
    return watcher;
  };
  const write = (file: string, text: string): void => fs.writeFileSync(path.join(dir, file), text);

  after(async () => {
    for (const watcher of own) await watcher.dispose();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('a fresh start ignores what an earlier, crashed session left behind', async () => {
    fs.mkdirSync(dir, { recursive: true });
    write('okteto.state', 'ready');
    write('okteto.pid', String(deadPid));
    const watcher = await make({ ignoreExisting: true });
    const events: string[] = [];
    watcher.on('state', (e) => events.push(e.state));
    watcher.on('failed', (f) => events.push(`failed: ${f.error.message}`));
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(events.join(', '), '', 'neither the old "ready" nor the old dead pid counts');
    write('okteto.pid', String(process.pid));
    write('okteto.state', 'activating');
    await eventually('activating', () => Promise.resolve(events.includes('activating')), 5000);
    write('okteto.state', 'ready');
    assert.equal((await watcher.untilReady()).state, 'ready');
    assert.deepEqual(events, ['activating', 'ready']);
    await watcher.dispose();
  });

  it('reports `failed:<message>` from the state file', async () => {
    const watcher = await make({ ignoreExisting: true });
    const failure = nextFailure(watcher);
    write('okteto.state', 'failed:image "x" not found');
    const f = await failure;
    assert.equal(f.reason, 'failed');
    assert.equal(f.error.message, 'okteto up failed: image "x" not found');
  });

  it('re-attaches to a running session, and reports its end once its pid file is gone', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    write('okteto.pid', String(child.pid));
    write('okteto.state', 'ready');
    const session = await readSession('w-ns', 'api', { home: base });
    assert.equal(session?.alive, true);
    const watcher = await make({ ignoreExisting: false });
    assert.equal((await watcher.untilReady()).state, 'ready');
    const ended = nextEnd(watcher);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(path.join(dir, 'okteto.pid'));
    assert.deepEqual(await ended, { crashed: false, hangup: false, exitCode: undefined, lastLines: [] });
  });

  it('a session that never reports a state times out', async () => {
    const watcher = await make({ namespace: 'never', timeoutMs: 300 });
    const f = await nextFailure(watcher);
    assert.equal(f.reason, 'timeout');
    assert.equal(f.error.message, 'okteto up was not ready after 0.3 s (it never reported a state).');
  });
});
