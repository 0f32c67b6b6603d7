// `npm run sandbox`: T-Env working end to end without owning a cluster. Starts the local control
// plane, creates demo environments (owners in different time zones, one asleep, one with a
// crash-looping pod), builds and installs the extension into code-server (a real VS Code), prints
// the URL to open, and stops everything on Ctrl-C or SIGTERM.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../test/cluster/cluster.ts';
import type { LocalCluster } from '../test/cluster/cluster.ts';
import { createEnvironmentFixture } from '../test/fixtures/environments.ts';
import { ensureCodeServer } from '../test/e2e/code-server.ts';
import { startCodeServer } from '../test/e2e/server.ts';
import type { RunningCodeServer } from '../test/e2e/server.ts';
import { ensureChromium } from '../test/e2e/system-packages.ts';
import { registerTeardown } from '../test/e2e/teardown.ts';
import { withoutOuterNpm } from '../test/e2e/processes.ts';
import { sleepEnvironment } from '../src/adapters/sleep.ts';
import { loadKubeConfig } from '../src/adapters/kube.ts';

const root = path.resolve(import.meta.dirname, '..');
const ME = 'sandbox-dev';

function say(message: string): void {
  process.stderr.write(`[sandbox] ${message}\n`);
}

let cluster: LocalCluster | undefined;
let server: RunningCodeServer | undefined;
/** On failure: what was started is stopped (on Ctrl-C/SIGTERM the e2e teardown does it). */
async function stop(): Promise<void> {
  await server?.stop();
  await cluster?.stop();
}

async function main(): Promise<void> {
  // code-server and the cluster binaries are cached after the first run (~2 and ~8 minutes cold).
  await ensureChromium();
  await ensureCodeServer();
  if (process.env['T_ENV_SANDBOX_SKIP_PACKAGE'] === '1' && fs.existsSync(path.join(root, 'dist-vsix', 't-env.vsix'))) {
    say('using the extension built already (dist-vsix/t-env.vsix)');
  } else {
    say('building the extension…');
    // Progress of the build goes to stderr: stdout carries only the URL line.
    const build = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, env: withoutOuterNpm(), stdio: ['ignore', process.stderr, 'inherit'] });
    if (build.status !== 0) throw new Error('npm run package failed');
  }
  say('starting the local control plane…');
  const started = await startCluster();
  cluster = started;
  // One place stops everything on Ctrl-C, SIGTERM or exit: the e2e harness's teardown, which
  // also stops code-server (started below).
  registerTeardown('local control plane', async () => { say('stopping…'); await started.stop(); say('stopped'); }, () => started.stopNow());
  const kc = cluster.kubeConfig();
  say('creating demo environments…');
  await Promise.all([
    // Mine, and asleep: the status bar shows the Wake button.
    createEnvironmentFixture(kc, { name: ME, owner: ME, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00',
      workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'Deployment', name: 'worker', replicas: 1 }, { kind: 'CronJob', name: 'cleanup' }] }),
    createEnvironmentFixture(kc, { name: 'lee-dev', owner: 'lee', timezone: 'Australia/Adelaide', awakeHours: 'always' }),
    createEnvironmentFixture(kc, { name: 'priya-dev', owner: 'priya', timezone: 'Asia/Kolkata', awakeHours: 'Mon-Fri 09:30-18:30',
      workloads: [{ kind: 'Deployment', name: 'api', replicas: 1 }, { kind: 'Deployment', name: 'payments', replicas: 1, behaviour: 'crash-loop' }] }),
    createEnvironmentFixture(kc, { name: 'sam-dev', owner: 'sam', timezone: 'America/Los_Angeles', awakeHours: 'Mon-Thu 07:00-16:00; Fri 07:00-12:00' }),
  ]);
  // Asleep, put to sleep the real way.
  await sleepEnvironment(loadKubeConfig({ kubeconfig: cluster.kubeconfigPath }), ME);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 't-env-sandbox-workspace-'));
  fs.writeFileSync(path.join(folder, 'okteto.yml'), 'dev:\n  api:\n    image: okteto/golang:1\n    command: bash\n    sync:\n      - .:/usr/src/app\n');
  fs.writeFileSync(path.join(folder, 'README.md'), '# T-Env sandbox\n\nOpen the T-Env view in the activity bar. Your environment is `sandbox-dev` (asleep: wake it from the status bar).\n');
  server = await startCodeServer({
    name: 'sandbox', folder, vsixPath: path.join(root, 'dist-vsix', 't-env.vsix'),
    env: { KUBECONFIG: cluster.kubeconfigPath, T_ENV_CLUSTER_DIR: cluster.dir },
    settings: { 'tenv.user': ME, 'tenv.showAllEnvironments': true },
  });
  say(`kubeconfig: ${cluster.kubeconfigPath} (try: KUBECONFIG=${cluster.kubeconfigPath} node dist/cli.js env ls --all)`);
  // The line the README and the sandbox test look for.
  process.stdout.write(`T-Env sandbox: ${server.workbenchUrl()}\n`);
  say('Ctrl-C stops everything.');
}

main().catch(async (error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  await stop();
  process.exit(1);
});
