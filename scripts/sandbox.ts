// `npm run sandbox`: T-Env working end to end without owning a cluster. Starts the local control
// plane, deploys a baseline (`main`, as CI/CD would), creates the demo environments from it
// (owners in different time zones, one asleep, one with a crash-looping pod), moves the baseline
// on so that a workload shows behind, builds and installs the extension into code-server (a real
// VS Code), prints the URL to open, and stops everything on Ctrl-C or SIGTERM.
import * as k8s from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../test/cluster/cluster.ts';
import type { LocalCluster } from '../test/cluster/cluster.ts';
import { createWorkload } from '../test/fixtures/environments.ts';
import { ensureCodeServer } from '../test/e2e/code-server.ts';
import { startCodeServer } from '../test/e2e/server.ts';
import type { RunningCodeServer } from '../test/e2e/server.ts';
import { ensureChromium } from '../test/e2e/system-packages.ts';
import { registerTeardown } from '../test/e2e/teardown.ts';
import { withoutOuterNpm } from '../test/e2e/processes.ts';
import { sleepEnvironment } from '../src/adapters/sleep.ts';
import { loadKubeConfig } from '../src/adapters/kube.ts';
import { createFromBaseline } from '../src/adapters/baseline.ts';

const root = path.resolve(import.meta.dirname, '..');
const ME = 'sandbox-dev';
const BASELINE = 'main';

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
  const session = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
  say(`deploying the baseline "${BASELINE}"…`);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: BASELINE, labels: { 't-env.dev/baseline': 'true' }, annotations: { 't-env.dev/git-ref': 'origin/main' } } } });
  await Promise.all([
    // `t-env.dev/replicas`: a developer's copy of api runs 2 pods (the others 1).
    createWorkload(kc, BASELINE, { kind: 'Deployment', name: 'api', replicas: 3, annotations: { 't-env.dev/replicas': '2' } }),
    createWorkload(kc, BASELINE, { kind: 'Deployment', name: 'worker', replicas: 2 }),
    createWorkload(kc, BASELINE, { kind: 'Deployment', name: 'web', replicas: 2 }),
    createWorkload(kc, BASELINE, { kind: 'CronJob', name: 'cleanup' }),
    core.createNamespacedConfigMap({ namespace: BASELINE, body: { metadata: { name: 'settings' }, data: { API_URL: `http://api.${BASELINE}.svc:8080` } } }),
  ]);
  say(`creating demo environments from "${BASELINE}"…`);
  await Promise.all([
    // Mine, and asleep (below): the status bar shows the Wake button.
    { name: ME, owner: ME, timezone: 'Europe/Berlin', awakeHours: 'Mon-Fri 08:00-20:00' },
    { name: 'lee-dev', owner: 'lee', timezone: 'Australia/Adelaide', awakeHours: 'always' },
    { name: 'priya-dev', owner: 'priya', timezone: 'Asia/Kolkata', awakeHours: 'Mon-Fri 09:30-18:30' },
    { name: 'sam-dev', owner: 'sam', timezone: 'America/Los_Angeles', awakeHours: 'Mon-Thu 07:00-16:00; Fri 07:00-12:00' },
  ].map((input) => createFromBaseline(session, { ...input, baseline: BASELINE })));
  // Priya is building a new service, and it crash-loops.
  await createWorkload(kc, 'priya-dev', { kind: 'Deployment', name: 'payments', replicas: 1, behaviour: 'crash-loop' });
  // CI/CD deploys a new web to the baseline: web shows behind in every environment (Update from Baseline).
  await kc.makeApiClient(k8s.AppsV1Api).patchNamespacedDeployment({ namespace: BASELINE, name: 'web',
    body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.example/web:2' }] } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
  // Asleep, put to sleep the real way.
  await sleepEnvironment(session, ME);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 't-env-sandbox-workspace-'));
  fs.writeFileSync(path.join(folder, 'okteto.yml'), 'dev:\n  api:\n    image: okteto/golang:1\n    command: bash\n    sync:\n      - .:/usr/src/app\n');
  fs.writeFileSync(path.join(folder, 'README.md'), '# T-Env sandbox\n\nOpen the T-Env view in the activity bar. Your environment is `sandbox-dev`, created from the baseline `main` (asleep: wake it from the status bar; `web` is behind the baseline: Update from Baseline).\n');
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
