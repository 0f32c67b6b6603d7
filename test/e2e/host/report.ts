// Output of in-host tests for the terminal. In code-server the extension host's console reaches the
// page mixed with the workbench's own log lines (and VS Code forbids replacing console.log), so
// these lines carry the marker the host runner (../host-runner.ts) passes in and looks for.
import util from 'node:util';

/** Set by the host runner; absent under test-electron, whose extension host writes to the terminal directly. */
const marker = process.env['T_ENV_E2E_OUTPUT_MARKER'] ?? '';

/** Prints a line (console.log formatting) that the e2e runner shows; plain console.log only reaches .test-artifacts/console-host.log. */
export function report(...args: unknown[]): void {
  console.log(`${marker}${util.format(...args)}`);
}
