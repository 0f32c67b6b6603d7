// The baselines a sleeper pass considers (core/baseline-sleep.ts decides what each should be):
// one list of the namespaces labelled `t-env.dev/baseline=true`, beside the pass's list of
// environments. Only those with awake hours are acted on; the rest are CI/CD's alone.
import type * as k8s from '@kubernetes/client-node';
import { LABEL_BASELINE } from '../core/baseline-copy.ts';
import type { SleepApi } from './sleep-api.ts';

/**
 * Every baseline namespace, narrowed like the environments by the pass's extra `selector` (tests,
 * sharding). Errors are the API's own (the caller words them).
 */
export function listManagedBaselines(api: SleepApi, selector: string | undefined): Promise<k8s.V1Namespace[]> {
  return api.listNamespaces([`${LABEL_BASELINE}=true`, selector].filter((s) => s).join(','));
}
