// Progress lines of the e2e harness, on stderr so test output on stdout stays clean.
/** Child processes of run.ts inherit its start time, so their offsets continue its own. */
const started = Number(process.env['T_ENV_E2E_STARTED']) || Date.now();
process.env['T_ENV_E2E_STARTED'] = String(started);

/** Prints `[e2e +12.3s] scope: message` to stderr. */
export function log(scope: string, message: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`[e2e +${elapsed}s] ${scope}: ${message}\n`);
}

/** Seconds since `start` (a `Date.now()` value), for timing lines. */
export function secondsSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}
