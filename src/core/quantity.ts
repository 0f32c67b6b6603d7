// Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `1e9`) as plain numbers, and a
// pod's requests per replica. Quantities follow
// the grammar of k8s.io/apimachinery/pkg/api/resource/quantity.go: a decimal number, then one
// binary suffix (Ki … Ei), one decimal suffix (n u m k M G T P E) or a decimal exponent (e3, E-2).
// Requests come from workloads, so they are untrusted: bounded, and a bad one is `undefined`.

const MAX_QUANTITY_CHARS = 64;
const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The value of a quantity (CPU in cores, memory in bytes), or `undefined` if it is not one. */
export function parseQuantity(text: string): number | undefined {
  if (text.length > MAX_QUANTITY_CHARS) return undefined;
  const match = QUANTITY.exec(text.trim());
  if (match === null) return undefined;
  const number = Number(match[1]);
  const value = match[2] !== undefined ? number * 10 ** Number(match[2].slice(1)) : number * (SUFFIXES[match[3] ?? ''] ?? NaN);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

interface ContainerLike { resources?: { requests?: Readonly<Record<string, string>> | undefined } | undefined; restartPolicy?: string | undefined }

/** The parts of a pod template's spec whose requests count. */
export interface PodSpecLike {
  containers?: readonly ContainerLike[] | undefined;
  initContainers?: readonly ContainerLike[] | undefined;
}

/** A pod's CPU (cores) and memory (GiB) requests, per replica. */
export interface PodRequests {
  readonly cpuCores: number;
  readonly memoryGiB: number;
  /** Requests that are not quantities (counted as 0), named. */
  readonly problems: readonly string[];
}

const GIB = 2 ** 30;

/**
 * The requests a running pod holds: its containers and restartable init containers (sidecars);
 * init containers that run to completion do not hold theirs while the pod runs.
 */
export function podRequests(spec: PodSpecLike | undefined): PodRequests {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  let cpu = 0;
  let memory = 0;
  const problems: string[] = [];
  for (const container of containers) {
    const requests = container.resources?.requests ?? {};
    const cpuText = requests['cpu'];
    const memoryText = requests['memory'];
    const cpuValue = cpuText === undefined ? 0 : parseQuantity(cpuText);
    const memoryValue = memoryText === undefined ? 0 : parseQuantity(memoryText);
    if (cpuValue === undefined) problems.push(`cpu request ${JSON.stringify(cpuText!.slice(0, 64))} is not a quantity; counted as 0`);
    if (memoryValue === undefined) problems.push(`memory request ${JSON.stringify(memoryText!.slice(0, 64))} is not a quantity; counted as 0`);
    cpu += cpuValue ?? 0;
    memory += memoryValue ?? 0;
  }
  return { cpuCores: cpu, memoryGiB: memory / GIB, problems };
}
