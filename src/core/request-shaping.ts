// How T-Env backs off when the API server pushes back (HTTP 429 from API Priority and Fairness or
// the max-inflight filters), decided here once for every batch of writes (sleep, wake, the
// sleeper's pass, baseline copies). Pure: the adapter (adapters/sleep-api.ts) owns the timers.
//
// Contract:
// - A 429's `Retry-After` (seconds, or an HTTP date) says when to try again; it is bounded to
//   [MIN_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS] (a hostile or broken proxy must neither spin the
//   client nor park it for hours), and a missing or unreadable one means 1 s, as the API server
//   itself sends.
// - Every request of the batch waits until the latest push-back has passed: the server said it is
//   full, so nothing new goes out before then (no 429 storm of retries racing fresh requests).
// - The number of requests in flight is shaped by additive increase, multiplicative decrease: a
//   push-back halves what was in flight when it came (once per push-back period: the answers of
//   one burst are one signal), each success adds 1/limit back, up to the caller's concurrency.
// - A request is retried at most THROTTLE_RETRIES times; then the 429 is the caller's error.

/** Retries of one request after a 429 before its error is the caller's. */
export const THROTTLE_RETRIES = 8;
export const MIN_RETRY_AFTER_MS = 250;
export const MAX_RETRY_AFTER_MS = 30_000;
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** The wait a `Retry-After` header value asks for, bounded (see the contract). */
export function retryAfterMs(value: string | undefined, now: number): number {
  const text = value?.trim().slice(0, 64) ?? '';
  let ms = DEFAULT_RETRY_AFTER_MS;
  if (/^\d{1,9}$/.test(text)) ms = Number(text) * 1000;
  // RFC 9110's IMF-fixdate only: Date.parse would take "-5" for a year.
  else if (/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, ms));
}

/** The in-flight limit of one batch, by additive increase and multiplicative decrease. */
export class InFlightLimit {
  readonly max: number;
  private current: number;
  /** Until when requests wait (ms since the epoch): the latest push-back's Retry-After. */
  private resumeAt = 0;

  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max));
    this.current = this.max;
  }

  /** Requests allowed in flight now (at least 1). */
  get limit(): number {
    return Math.max(1, Math.floor(this.current));
  }

  /** How long a new request must wait before it may go out (0: now). */
  waitMs(now: number): number {
    return Math.max(0, this.resumeAt - now);
  }

  /** A success: one step back towards the caller's concurrency. */
  succeeded(): void {
    this.current = Math.min(this.max, this.current + 1 / this.current);
  }

  /**
   * A 429 with `retryAfter` ms, while `inFlight` requests were out: everyone waits until then,
   * and the limit halves from what was in flight, unless this answer belongs to a push-back
   * already counted (it came before the current pause ends).
   */
  throttled(now: number, retryAfter: number, inFlight: number): void {
    if (now >= this.resumeAt) this.current = Math.max(1, Math.min(this.current, inFlight) / 2);
    this.resumeAt = Math.max(this.resumeAt, now + retryAfter);
  }
}
