// `npm run cluster:up` / `cluster:down`: the local control plane in the background.
// up prints `export KUBECONFIG=<path>` as its last line; down stops every process it started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachCluster, startCluster } from '../test/cluster/cluster.ts';

const dir = process.env['T_ENV_CLUSTER_DIR'] ?? path.join(os.tmpdir(), 't-env-cluster');
const verb = process.argv[2];

async function down(): Promise<void> {
  if (!fs.existsSync(path.join(dir, 'state.json'))) {
    console.error(`no cluster running in ${dir}`);
    return;
  }
  await attachCluster(dir).stop();
  console.error(`cluster in ${dir} stopped`);
}

if (verb === 'up') {
  await down();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const cluster = await startCluster({ dir });
  console.log(`export T_ENV_CLUSTER_DIR=${cluster.dir}`);
  console.log(`export KUBECONFIG=${cluster.kubeconfigPath}`);
} else if (verb === 'down') {
  await down();
} else {
  console.error('usage: node scripts/cluster.ts up|down');
  process.exit(2);
}
