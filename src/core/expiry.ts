// Environments with a time to live. Contract: a namespace annotated `t-env.dev/expires-at` with an
// RFC 3339 instant is deleted by the sleeper once that instant has passed; 15 minutes before, the
// sleeper records a Warning Event in it. Only environments that carry the annotation expire; a
// baseline (`t-env.dev/baseline=true`), a system namespace (`default`, `kube-*`) and the sleeper's
// own namespace never do, whatever their annotations say. `t env extend` moves the instant.
import { ANNOTATION_EXPIRES_AT, isProtectedNamespace, LABEL_BASELINE } from './environment.ts';
import type { Meta } from './environment.ts';
import { relative } from './environment-view.ts';
import { InvalidInputError } from './errors.ts';

/** The Warning Event comes this long before expiry. */
export const EXPIRY_WARNING_MS = 15 * 60_000;
/** A TTL below this would expire before anyone used the environment. */
export const MIN_TTL_MS = 5 * 60_000;
/** A TTL above this is a permanent environment in disguise: leave the TTL out instead. */
export const MAX_TTL_MS = 90 * 86_400_000;

/** The `expires-at` value for a TTL starting now; throws InvalidInputError for a TTL out of range. */
export function expiresAtAfter(now: Date, ttlMs: number): string {
  if (!Number.isFinite(ttlMs) || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS) {
    throw new InvalidInputError(`A TTL of ${Number.isFinite(ttlMs) ? `${Math.round(ttlMs / 60_000)} min` : String(ttlMs)} is out of range.`, 'Use between 5m and 90d, e.g. 4h or 2d.');
  }
  return new Date(now.getTime() + ttlMs).toISOString();
}

export type Expiry =
  | { readonly state: 'none' }
  /** The annotation is there but not an instant: reported, never acted on. */
  | { readonly state: 'invalid'; readonly problem: string }
  | { readonly state: 'live' | 'warn' | 'expired'; readonly expiresAt: Date };

/** Where an environment stands against its `expires-at` at `now`. */
export function expiryOf(annotations: Readonly<Record<string, string>> | undefined, now: Date): Expiry {
  const text = annotations?.[ANNOTATION_EXPIRES_AT];
  if (text === undefined) return { state: 'none' };
  const at = Date.parse(text);
  // Date.parse also takes "2026" or "Dec 1"; the contract is RFC 3339, so insist on a full instant.
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return { state: 'invalid', problem: `invalid ${ANNOTATION_EXPIRES_AT} "${text.slice(0, 64)}"` };
  const left = at - now.getTime();
  return { state: left <= 0 ? 'expired' : left <= EXPIRY_WARNING_MS ? 'warn' : 'live', expiresAt: new Date(at) };
}

/** Why a namespace must never be deleted on expiry (undefined: it may be). */
export function expiryRefusal(meta: Pick<Meta, 'name' | 'labels'>, ownNamespace: string | undefined): string | undefined {
  const name = meta.name ?? '';
  if (isProtectedNamespace(name, ownNamespace)) return `${name} is a system namespace or the sleeper's own namespace`;
  if (meta.labels?.[LABEL_BASELINE] === 'true') return `${name} is a baseline (${LABEL_BASELINE}=true)`;
  return undefined;
}

/** "expires in 3 h", "expired": for the tree, tooltips and `t env ls`. */
export function describeExpiry(expiresAt: string | undefined, now: Date): string | undefined {
  if (expiresAt === undefined) return undefined;
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return 'invalid expiry';
  return at <= now.getTime() ? 'expired' : `expires ${relative(at - now.getTime())}`;
}
