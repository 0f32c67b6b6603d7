// Runs a command against a fresh local control plane and stops the cluster afterwards, also on
// failure, Ctrl-C or SIGTERM. The command gets KUBECONFIG and T_ENV_CLUSTER_DIR.
// Usage: node scripts/with-cluster.ts <command> [args...]
import { spawn } from 'node:child_process';
import { startCluster } from '../test/cluster/cluster.ts';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-cluster.ts <command> [args...]');
  process.exit(2);
}
const cluster = await startCluster();
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => (stopping ??= cluster.stop());
const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, T_ENV_CLUSTER_DIR: cluster.dir },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    child.kill(signal);
    void stop().then(() => process.exit(130));
  });
}
child.on('exit', (code, signal) => {
  void stop().then(() => process.exit(code ?? (signal ? 1 : 0)));
});
