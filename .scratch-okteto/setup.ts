import { attachCluster } from '../test/cluster/cluster.ts';
import { createEnvironmentFixture } from '../test/fixtures/environments.ts';
const kc = attachCluster().kubeConfig();
await createEnvironmentFixture(kc, { name: process.argv[2]!, owner: 'me', workloads: [{ kind: 'Deployment', name: 'api', replicas: 2 }, { kind: 'StatefulSet', name: 'db', replicas: 1 }] });
