// The local Kubernetes control plane for tests, benchmarks and the sandbox: real etcd,
// kube-apiserver (RBAC enforced), kube-controller-manager and kube-scheduler, plus kwok for a fake
// node whose pods "run" and serve container logs from files. No containers are involved.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kwokConfig } from './kwok-stages.ts';

const here = path.dirname(new URL(import.meta.url).pathname);
const KWOK_VERSION = 'v0.8.0';
const NODE_NAME = 'kwok-node-0';

type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';
const COMPONENTS: readonly Component[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];

interface Ports { etcd: number; peer: number; api: number; kcm: number; scheduler: number; kwok: number }

/** What `cluster:up` leaves in `<dir>/state.json` so that other processes can attach. */
export interface ClusterState {
  dir: string;
  bin: string;
  ports: Ports;
  pids: Partial<Record<Component, number>>;
  kubeconfig: string;
}

function log(message: string): void {
  process.stderr.write(`[cluster] ${message}\n`);
}

/** Builds (or finds in the cache) the control-plane binaries; returns their directory. */
export function ensureBinaries(): string {
  const out = execFileSync('bash', [path.join(here, 'go', 'build.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!fs.existsSync(path.join(dir, 'kube-apiserver'))) throw new Error(`control-plane binaries missing in "${dir}"`);
  return dir;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** One CA; an admin client cert in system:masters; a serving cert for the apiserver and kwok. */
function makePki(pki: string): void {
  fs.mkdirSync(pki, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-subj', '/CN=t-env-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], pki);
  fs.writeFileSync(path.join(pki, 'serving.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.0.0.1\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'serving.key', '-out', 'serving.csr', '-subj', '/CN=kube-apiserver'], pki);
  openssl(['x509', '-req', '-sha256', '-days', '3650', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'serving.crt', '-extfile', 'serving.cnf'], pki);
  mintClientCert(pki, 'admin', 'kube-admin', ['system:masters']);
  openssl(['genrsa', '-out', 'sa.key', '2048'], pki);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], pki);
}

function mintClientCert(pki: string, file: string, user: string, groups: readonly string[]): void {
  const subject = groups.map((g) => `/O=${g}`).join('') + `/CN=${user}`;
  fs.writeFileSync(path.join(pki, 'client.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', subject], pki);
  openssl(['x509', '-req', '-sha256', '-days', '3650', '-in', `${file}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${file}.crt`, '-extfile', 'client.cnf'], pki);
}

function kubeconfigText(server: string, pki: string, user: string, context = 'local'): string {
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- name: local`, `  cluster: {server: "${server}", certificate-authority: "${pki}/ca.crt"}`,
    'users:', `- name: ${user}`, `  user: {client-certificate: "${pki}/${user}.crt", client-key: "${pki}/${user}.key"}`,
    'contexts:', `- name: ${context}`, `  context: {cluster: local, user: ${user}}`,
    `current-context: ${context}`, '',
  ].join('\n');
}

function componentArgs(c: Component, s: ClusterState): string[] {
  const { ports: p, dir } = s;
  const pki = path.join(dir, 'pki');
  const kubeconfig = s.kubeconfig;
  switch (c) {
    case 'etcd':
      return ['--name=node0', `--data-dir=${dir}/etcd`, `--listen-client-urls=http://127.0.0.1:${p.etcd}`, `--advertise-client-urls=http://127.0.0.1:${p.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${p.peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${p.peer}`, `--initial-cluster=node0=http://127.0.0.1:${p.peer}`,
        '--listen-metrics-urls=', '--auto-compaction-retention=1', '--quota-backend-bytes=8589934592', '--unsafe-no-fsync=true', '--log-level=warn'];
    case 'kube-apiserver':
      return [`--etcd-servers=http://127.0.0.1:${p.etcd}`, '--etcd-prefix=/registry', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${p.api}`,
        `--tls-cert-file=${pki}/serving.crt`, `--tls-private-key-file=${pki}/serving.key`, `--client-ca-file=${pki}/ca.crt`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${pki}/sa.pub`, `--service-account-signing-key-file=${pki}/sa.key`,
        // A /16: the benchmark's baselines and overlays hold hundreds of ClusterIP Services at once (a /24 ran out).
        '--service-cluster-ip-range=10.0.0.0/16', '--authorization-mode=Node,RBAC', '--allow-privileged=true', '--endpoint-reconciler-type=none',
        '--kubelet-preferred-address-types=InternalIP', '--disable-admission-plugins=ServiceAccount',
        // Room for the benchmark's thousands of objects on 2 cores. API Priority and Fairness stays
        // on, as on every real cluster: the admin (system:masters) is exempt, other identities are
        // queued or pushed back (test/integration/sleeper-throttle.test.ts).
        '--max-requests-inflight=1000', '--max-mutating-requests-inflight=500',
        '--profiling=false', '--v=0'];
    case 'kube-controller-manager':
      return [`--kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${p.kcm}`, '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--leader-elect=false', `--root-ca-file=${pki}/ca.crt`, `--service-account-private-key-file=${pki}/sa.key`, '--use-service-account-credentials=false',
        '--node-monitor-period=25s', '--node-monitor-grace-period=3m20s', '--kube-api-qps=200', '--kube-api-burst=400',
        '--concurrent-deployment-syncs=10', '--concurrent-replicaset-syncs=10', '--controllers=*,-nodeipam,-ttl-after-finished,-bootstrapsigner,-tokencleaner', '--v=0'];
    case 'kube-scheduler':
      return [`--kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', `--secure-port=${p.scheduler}`, '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--leader-elect=false', '--kube-api-qps=200', '--kube-api-burst=400', '--v=0'];
    case 'kwok':
      return [`--kubeconfig=${kubeconfig}`, `--config=${dir}/kwok.yaml`, '--manage-all-nodes=true', '--node-ip=127.0.0.1', '--node-name=localhost', '--cidr=10.244.0.0/16',
        `--node-port=${p.kwok}`, `--server-address=127.0.0.1:${p.kwok}`, `--tls-cert-file=${pki}/serving.crt`, `--tls-private-key-file=${pki}/serving.key`,
        '--node-lease-duration-seconds=200', '--enable-crds=Logs'];
  }
}

function startComponent(c: Component, s: ClusterState): void {
  const out = fs.openSync(path.join(s.dir, 'logs', `${c}.log`), 'a');
  // Detached: `cluster:up` returns while the cluster keeps running; a clean HOME keeps kwok from
  // reading ~/.kwok/kwok.yaml.
  const child = spawn(path.join(s.bin, c), componentArgs(c, s), {
    detached: true, stdio: ['ignore', out, out], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: s.dir },
  });
  child.unref();
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${c}`);
  s.pids[c] = child.pid;
  saveState(s);
}

function saveState(s: ClusterState): void {
  fs.writeFileSync(path.join(s.dir, 'state.json'), JSON.stringify(s, null, 2));
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function waitFor(what: string, s: ClusterState, component: Component | undefined, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (component && !alive(s.pids[component])) {
      throw new Error(`${component} exited while waiting for ${what}; see ${s.dir}/logs/${component}.log:\n${tail(path.join(s.dir, 'logs', `${component}.log`))}`);
    }
    try { if (await check()) return; } catch { /* not yet */ }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function tail(file: string, lines = 15): string {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

/** An HTTPS GET with the admin client cert (readiness probes before client-node is useful). */
async function adminGet(s: ClusterState, url: string): Promise<{ status: number; body: string }> {
  const https = await import('node:https');
  const pki = path.join(s.dir, 'pki');
  return new Promise((resolve, reject) => {
    const req = https.get(url, {
      ca: fs.readFileSync(path.join(pki, 'ca.crt')), cert: fs.readFileSync(path.join(pki, 'admin.crt')), key: fs.readFileSync(path.join(pki, 'admin.key')),
      rejectUnauthorized: !url.includes(`:${s.ports.kcm}`) && !url.includes(`:${s.ports.scheduler}`), timeout: 5000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.ok;
}

function kwokModuleDir(): string {
  const gomodcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const dir = path.join(gomodcache, 'sigs.k8s.io', `kwok@${KWOK_VERSION}`);
  if (!fs.existsSync(dir)) {
    execFileSync('go', ['mod', 'download', `sigs.k8s.io/kwok@${KWOK_VERSION}`], { cwd: path.join(here, 'go', 'kwok'), stdio: 'inherit' });
  }
  return dir;
}

async function startApiServer(s: ClusterState): Promise<void> {
  startComponent('kube-apiserver', s);
  await waitFor('kube-apiserver /readyz', s, 'kube-apiserver', async () => (await adminGet(s, `https://127.0.0.1:${s.ports.api}/readyz`)).status === 200);
}

export interface StartOptions {
  /** Working directory; a fresh temp dir by default. */
  dir?: string;
}

/** Starts a fresh cluster and waits until a node is Ready and untainted. */
export async function startCluster(options: StartOptions = {}): Promise<LocalCluster> {
  const started = Date.now();
  const bin = ensureBinaries();
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 't-env-cluster-'));
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'pod-logs'), { recursive: true });
  const ports: Ports = { etcd: await freePort(), peer: await freePort(), api: await freePort(), kcm: await freePort(), scheduler: await freePort(), kwok: await freePort() };
  const pki = path.join(dir, 'pki');
  makePki(pki);
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigText(`https://127.0.0.1:${ports.api}`, pki, 'admin'), { mode: 0o600 });
  const kwokDir = kwokModuleDir();
  const nodeStages = ['node/fast/node-initialize.yaml', 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml']
    .map((f) => fs.readFileSync(path.join(kwokDir, 'kustomize', 'stage', f), 'utf8'));
  fs.writeFileSync(path.join(dir, 'kwok.yaml'), kwokConfig(nodeStages));
  const s: ClusterState = { dir, bin, ports, pids: {}, kubeconfig };
  saveState(s);
  const cluster = new LocalCluster(s);
  try {
    startComponent('etcd', s);
    await waitFor('etcd /health', s, 'etcd', () => httpOk(`http://127.0.0.1:${ports.etcd}/health`));
    await startApiServer(s);
    const kc = cluster.kubeConfig();
    // kwok serves logs only for pods with a Logs object; its CRD must exist before kwok starts.
    await applyYaml(kc, fs.readFileSync(path.join(kwokDir, 'kustomize', 'crd', 'bases', 'kwok.x-k8s.io_logs.yaml'), 'utf8'));
    await waitFor('Logs CRD established', s, 'kube-apiserver', async () => {
      const crd = await kc.makeApiClient(k8s.ApiextensionsV1Api).readCustomResourceDefinition({ name: 'logs.kwok.x-k8s.io' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    });
    startComponent('kube-controller-manager', s);
    startComponent('kube-scheduler', s);
    startComponent('kwok', s);
    await waitFor('kube-controller-manager /healthz', s, 'kube-controller-manager', async () => (await adminGet(s, `https://127.0.0.1:${ports.kcm}/healthz`)).status === 200);
    await waitFor('kube-scheduler /healthz', s, 'kube-scheduler', async () => (await adminGet(s, `https://127.0.0.1:${ports.scheduler}/healthz`)).status === 200);
    await waitFor('kwok /healthz', s, 'kwok', () => httpOk(`http://127.0.0.1:${ports.kwok}/healthz`));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNode({
      body: {
        metadata: {
          name: NODE_NAME,
          annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
          labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': NODE_NAME, type: 'kwok' },
        },
        status: { allocatable: { cpu: '1000', memory: '4Ti', pods: '20000' }, capacity: { cpu: '1000', memory: '4Ti', pods: '20000' } },
      },
    });
    await waitFor('node Ready and untainted', s, 'kwok', async () => {
      const node = await core.readNode({ name: NODE_NAME });
      const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      return ready && !(node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
    });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
    return cluster;
  } catch (error) {
    await cluster.stop({ keepDir: true });
    throw error;
  }
}

/** Attaches to a cluster started by another process (`cluster:up`, `with-cluster`). */
export function attachCluster(dir = process.env['T_ENV_CLUSTER_DIR']): LocalCluster {
  if (!dir) throw new Error('T_ENV_CLUSTER_DIR is not set: start the cluster with `npm run cluster:up` or run tests through `npm run test:integration`.');
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as ClusterState;
  return new LocalCluster(s);
}

async function applyYaml(kc: k8s.KubeConfig, text: string): Promise<void> {
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as k8s.KubernetesObject | null;
    if (obj) await client.create(obj);
  }
}

export class LocalCluster {
  readonly state: ClusterState;
  constructor(state: ClusterState) { this.state = state; }

  get dir(): string { return this.state.dir; }
  get kubeconfigPath(): string { return this.state.kubeconfig; }
  get server(): string { return `https://127.0.0.1:${this.state.ports.api}`; }

  kubeConfig(): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(this.state.kubeconfig);
    return kc;
  }

  /** A kubeconfig for a less-privileged user (client certificate from the cluster CA). */
  userKubeconfig(user: string, groups: readonly string[] = []): string {
    const pki = path.join(this.dir, 'pki');
    const file = `user-${user.replace(/[^a-z0-9-]/gi, '_')}`;
    mintClientCert(pki, file, user, groups);
    const text = kubeconfigText(this.server, pki, file, user).replace(`- name: ${file}\n`, `- name: ${file}\n`);
    const out = path.join(this.dir, `${file}.kubeconfig`);
    fs.writeFileSync(out, text, { mode: 0o600 });
    return out;
  }

  /** The log file kwok serves for a container; created (with its Logs object) on first use. */
  async podLogFile(namespace: string, pod: string, container: string): Promise<{ current: string; previous: string }> {
    const base = path.join(this.dir, 'pod-logs', namespace, pod);
    const current = path.join(base, `${container}.log`);
    const previous = path.join(base, `${container}.previous.log`);
    if (fs.existsSync(current)) return { current, previous };
    fs.mkdirSync(base, { recursive: true });
    fs.writeFileSync(current, '');
    fs.writeFileSync(previous, '');
    const objects = k8s.KubernetesObjectApi.makeApiClient(this.kubeConfig());
    const desired = { containers: [container], logsFile: current, previousLogsFile: previous, follow: true };
    const name = pod;
    try {
      const existing = await objects.read<k8s.KubernetesObject & { spec: { logs: unknown[] } }>({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name, namespace } });
      existing.spec.logs.push(desired);
      await objects.replace(existing);
    } catch {
      await objects.create({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name, namespace }, spec: { logs: [desired] } } as k8s.KubernetesObject);
    }
    // kwok learns of the Logs object through its own watch: until then the kubelet endpoint answers
    // "no logs found for container" (a CI run read the log in that window). Wait until it serves.
    const core = this.kubeConfig().makeApiClient(k8s.CoreV1Api);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await core.readNamespacedPodLog({ name: pod, namespace, container, limitBytes: 1 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`kwok does not serve the log of ${namespace}/${pod}/${container}: ${String(e)}`);
        await sleep(100);
      }
    }
    return { current, previous };
  }

  /** Appends lines to a container's log (CRI format, as the kubelet writes it). */
  async appendLog(namespace: string, pod: string, container: string, lines: readonly string[], stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
    const { current } = await this.podLogFile(namespace, pod, container);
    fs.appendFileSync(current, lines.map((l) => `${new Date().toISOString()} ${stream} F ${l}\n`).join(''));
  }

  /** Sets the log of the container's previous instance (what `--previous` returns). */
  async setPreviousLog(namespace: string, pod: string, container: string, lines: readonly string[]): Promise<void> {
    const { previous } = await this.podLogFile(namespace, pod, container);
    fs.writeFileSync(previous, lines.map((l) => `${new Date().toISOString()} stdout F ${l}\n`).join(''));
  }

  /** Restarts kube-apiserver (same port, same etcd): watches drop and must recover. */
  async restartApiServer(downMs = 500): Promise<void> {
    await this.stopComponent('kube-apiserver');
    await sleep(downMs);
    await startApiServer(this.state);
  }

  async stopComponent(c: Component): Promise<void> {
    const pid = this.state.pids[c];
    if (!alive(pid)) return;
    try { process.kill(-pid!, 'SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 15_000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) { try { process.kill(-pid!, 'SIGKILL'); } catch { /* gone */ } }
    while (alive(pid)) await sleep(50);
    delete this.state.pids[c];
    saveState(this.state);
  }

  private reloadPids(): void {
    try {
      const onDisk = JSON.parse(fs.readFileSync(path.join(this.dir, 'state.json'), 'utf8')) as ClusterState;
      this.state.pids = { ...this.state.pids, ...onDisk.pids };
    } catch { /* no state file: keep what is known */ }
  }

  /** Last resort for synchronous exit handlers: SIGKILL every component, remove the directory. */
  stopNow(): void {
    this.reloadPids();
    for (const c of COMPONENTS) {
      const pid = this.state.pids[c];
      if (pid !== undefined) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops every component (in reverse start order) and removes the working directory. */
  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    // Another process attached to this cluster may have restarted a component (restartApiServer
    // in a test): the pids on disk are the current ones.
    this.reloadPids();
    for (const c of [...COMPONENTS].reverse()) await this.stopComponent(c);
    if (!options.keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
