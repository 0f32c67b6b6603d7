// Process-wide teardown: everything the harness starts registers here, so that success, failure,
// Ctrl-C and SIGTERM all stop it and nothing (code-server, chromium, npm) is left running.
import { log } from './log.ts';

interface Resource {
  readonly name: string;
  /** Graceful stop; awaited on SIGINT/SIGTERM. */
  readonly stop: () => Promise<void>;
  /** Last resort inside the synchronous `exit` handler: kill and delete, no awaiting possible. */
  readonly stopNow: () => void;
}

const resources = new Set<Resource>();
let handlersInstalled = false;
let signalled = false;

/** How long SIGINT/SIGTERM waits for graceful stops before exiting anyway. */
const signalGraceMs = 15_000;

/**
 * Registers a resource to stop on interrupt or exit (last registered, first stopped). Call the
 * returned function once the resource has been stopped normally, so it is not stopped twice.
 */
export function registerTeardown(name: string, stop: () => Promise<void>, stopNow: () => void): () => void {
  installHandlers();
  const resource: Resource = { name, stop, stopNow };
  resources.add(resource);
  return () => {
    resources.delete(resource);
  };
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('SIGINT', () => void onSignal('SIGINT', 130));
  process.on('SIGTERM', () => void onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => void onSignal('SIGHUP', 129));
  // Runs on every exit, including process.exit() from elsewhere; only synchronous work is possible.
  process.on('exit', () => {
    for (const resource of [...resources].reverse()) {
      try {
        resource.stopNow();
      } catch {
        // Best effort: the process is going away.
      }
    }
    resources.clear();
  });
}

async function onSignal(signal: NodeJS.Signals, exitCode: number): Promise<void> {
  if (signalled) {
    // A second Ctrl-C: stop waiting; the exit handler still kills what is left.
    process.exit(exitCode);
  }
  signalled = true;
  log('teardown', `${signal}: stopping ${[...resources].map((r) => r.name).join(', ') || 'nothing'}`);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, signalGraceMs);
  });
  // Last registered first, like a stack: a process stops before the directory it writes to goes.
  const stops = (async () => {
    for (const resource of [...resources].reverse()) {
      try {
        await resource.stop();
      } catch (error) {
        log('teardown', `${resource.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      resources.delete(resource);
    }
  })();
  await Promise.race([stops, deadline]);
  clearTimeout(timer);
  process.exit(exitCode);
}
