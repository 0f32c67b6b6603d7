// Progress lines of the e2e harness, on stderr so test output on stdout stays clean.
const started = Date.now();

/** Prints `[e2e +12.3s] scope: message` to stderr. */
export function log(scope: string, message: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`[e2e +${elapsed}s] ${scope}: ${message}\n`);
}

/** Seconds since `start` (a `Date.now()` value), for timing lines. */
export function secondsSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}
