// `t logs <workload>`: the same stream as Show Logs, to stdout.
import { InvalidInputError } from '../core/errors.ts';
import type { LogControls } from '../core/log-lines.ts';
import { sanitizeText } from '../core/sanitize.ts';
import { LogIdleTimeoutError } from '../adapters/pod-log-request.ts';
import { checkWorkloadExists, streamWorkloadLogs } from '../adapters/pod-logs.ts';
import { stringOption } from './command.ts';
import type { Command } from './command.ts';
import { resolveEnvironment, session } from './env-commands.ts';

/**
 * A sink for stdout with backpressure: when a write is refused (a slow reader), every caller waits
 * for the same single `drain` (never one listener per chunk).
 */
export function stdoutSink(stdout: NodeJS.WritableStream): (text: string) => Promise<void> | undefined {
  let drained: Promise<void> | undefined;
  return (text) => {
    if (stdout.write(text) && drained === undefined) return undefined;
    drained ??= new Promise<void>((resolve) => stdout.once('drain', () => { drained = undefined; resolve(); }));
    return drained;
  };
}

export const logsCommand: Command = {
  path: ['logs'],
  summary: 'Print the logs of every pod of a workload (-f to follow; pods that come and go are picked up).',
  args: ['<workload>'],
  options: {
    env: { type: 'string', short: 'e', description: 'environment (default: the only one you own)', valueName: 'name' },
    follow: { type: 'boolean', short: 'f', description: 'keep following' },
    tail: { type: 'string', description: 'earlier lines per container to print first (default: all)', valueName: 'N' },
    timestamps: { type: 'boolean', description: 'prefix each line with its timestamp' },
    raw: { type: 'boolean', description: 'print control characters as the containers wrote them (unsafe on a terminal)' },
  },
  async run(ctx) {
    const s = session(ctx);
    const tailText = stringOption(ctx, 'tail');
    const tailLines = tailText === undefined ? undefined : Number(tailText);
    if (tailLines !== undefined && (!Number.isInteger(tailLines) || tailLines < 0)) throw new InvalidInputError(`Invalid --tail "${tailText}": not a whole number.`, 'Example: --tail 100');
    const namespace = await resolveEnvironment(ctx, s);
    const workload = { name: ctx.positionals[0]! };
    await checkWorkloadExists(s, namespace, workload);
    // Log text is the containers' (untrusted): escape sequences are shown escaped, except colour
    // on a terminal; --raw is the user's explicit choice.
    const controls: LogControls = ctx.values['raw'] === true ? 'raw' : ctx.out.color ? 'keep-sgr' : 'escape';
    let failed = false;
    await streamWorkloadLogs(s, namespace, workload, stdoutSink(process.stdout), {
      tailLines, timestamps: ctx.values['timestamps'] === true, follow: ctx.values['follow'] === true, signal: ctx.signal, controls,
      // Bigger, more frequent writes than an output channel; a slow reader holds the HTTP responses
      // back (backpressure), so at most this much waits in memory and no line is dropped.
      batch: { flushIntervalMs: 20, maxChunkChars: 256 * 1024, maxBufferedChars: 4 * 1024 * 1024 },
      onError: (error, _source, willRetry) => {
        // A quiet log resumed after the idle timeout is no news for the reader.
        if (error instanceof LogIdleTimeoutError || error.cause instanceof LogIdleTimeoutError) return;
        if (!willRetry) failed = true;
        process.stderr.write(`${willRetry ? 'warning' : 'error'}: ${sanitizeText(error.message)}\n`);
      },
    });
    return failed ? 1 : 0;
  },
};
