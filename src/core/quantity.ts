// Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `1e9`) as plain numbers, following
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
