// `t logs <workload>`: the same stream as Show Logs, to stdout.
import { InvalidInputError } from '../core/errors.ts';
import { streamWorkloadLogs } from '../adapters/pod-logs.ts';
import { stringOption } from './command.ts';
import type { Command } from './command.ts';
import { resolveEnvironment, session } from './env-commands.ts';

export const logsCommand: Command = {
  path: ['logs'],
  summary: 'Print the logs of every pod of a workload (-f to follow; pods that come and go are picked up).',
  args: ['<workload>'],
  options: {
    env: { type: 'string', short: 'e', description: 'environment (default: the only one you own)', valueName: 'name' },
    follow: { type: 'boolean', short: 'f', description: 'keep following' },
    tail: { type: 'string', description: 'earlier lines per container to print first (default: all)', valueName: 'N' },
    timestamps: { type: 'boolean', description: 'prefix each line with its timestamp' },
  },
  async run(ctx) {
    const s = session(ctx);
    const tailText = stringOption(ctx, 'tail');
    const tailLines = tailText === undefined ? undefined : Number(tailText);
    if (tailLines !== undefined && (!Number.isInteger(tailLines) || tailLines < 0)) throw new InvalidInputError(`Invalid --tail "${tailText}": not a whole number.`, 'Example: --tail 100');
    const namespace = await resolveEnvironment(ctx, s);
    let failed = false;
    await streamWorkloadLogs(s, namespace, { name: ctx.positionals[0]! }, (text) => {
      // Respect backpressure: a slow pipe slows the stream instead of growing memory.
      if (!process.stdout.write(text)) return new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      return undefined;
    }, {
      tailLines, timestamps: ctx.values['timestamps'] === true, follow: ctx.values['follow'] === true, signal: ctx.signal,
      // A terminal or pipe takes bigger, more frequent writes than an output channel; the sink's
      // backpressure (drain) holds the stream back before anything would be dropped.
      batch: { flushIntervalMs: 20, maxChunkChars: 1024 * 1024, maxBufferedChars: 64 * 1024 * 1024 },
      onError: (error, _source, willRetry) => { if (!willRetry) failed = true; process.stderr.write(`${willRetry ? 'warning' : 'error'}: ${error.message}\n`); },
    });
    return failed ? 1 : 0;
  },
};
