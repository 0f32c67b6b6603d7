// Pod logs: throughput of the parse → dedupe → label → batch pipeline, the event-loop stall while
// logs arrive at 10k lines/s, and WorkloadLogStream against `kubectl logs -f` end to end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../src/adapters/kube.ts';
import { WorkloadLogStream } from '../src/adapters/pod-logs.ts';
import { ContainerLogParser, LogBatcher, logLabel } from '../src/core/log-lines.ts';
import type { LogBatcherOptions } from '../src/core/log-lines.ts';
import type { LocalCluster } from '../test/cluster/cluster.ts';
import { createWorkload, eventually, runningPods } from '../test/fixtures/environments.ts';
import { median, round } from './stats.ts';

/** A plausible application log line of about 120 bytes; `i` varies it. */
function appLine(i: number): string {
  return `level=info msg="GET /api/v1/orders/${100000 + i} 200" duration=${(i % 997) / 100}ms user=u${i % 113} trace=${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}`;
}

/** A `timestamps=true` response body: many lines share a timestamp, as in bursts. */
function responseBody(lines: number, start = 0): Buffer {
  const base = Date.UTC(2026, 0, 1);
  const parts: string[] = [];
  for (let i = start; i < start + lines; i++) {
    const ts = new Date(base + Math.floor(i / 4)).toISOString().replace('Z', '000000Z');
    parts.push(`${ts} ${appLine(i)}\n`);
  }
  return Buffer.from(parts.join(''));
}

function* chunks(body: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export interface LogPipelineBench {
  /** Parse + dedupe + label + batch, lines per second (median of 5 runs of 200k lines). */
  linesPerSecond: number;
  megabytesPerSecond: number;
  /** The paced run: lines arriving per second, for `pacedSeconds`. */
  arrivalLinesPerSecond: number;
  pacedSeconds: number;
  /**
   * Worst event-loop delay during the paced run (monitorEventLoopDelay, 1 ms resolution). It
   * includes the OS preempting the process on a busy machine; maxPipelineWorkMs does not.
   */
  maxEventLoopStallMs: number;
  /** Longest synchronous pipeline work in the paced run: one delivery parsed, or one append. */
  maxPipelineWorkMs: number;
  p99EventLoopDelayMs: number;
  pacedLinesDelivered: number;
  pacedLinesDropped: number;
}

/** The pipeline alone, in-process: no network, a sink that only counts. */
export async function benchLogPipeline(): Promise<LogPipelineBench> {
  // Throughput: 200k lines in 64 KiB chunks (an HTTP/2 body arrives in such chunks), the
  // batcher flushed after every chunk as its timer would when keeping up.
  const lines = 200_000;
  const body = responseBody(lines);
  const rates: number[] = [];
  for (let run = 0; run < 6; run++) {
    let delivered = 0;
    const batcher = new LogBatcher((text) => { delivered += countLines(text); }, { maxBufferedChars: 64 * 1024 * 1024 });
    const parser = new ContainerLogParser({ label: logLabel('api-7d9c8b6f5-x2x4k', 'api', 2), showTimestamps: false });
    const push = (line: string): void => batcher.push(line);
    const started = performance.now();
    for (const chunk of chunks(body, 64 * 1024)) {
      parser.push(chunk, push);
      batcher.flush();
    }
    parser.end(push);
    batcher.dispose();
    const seconds = (performance.now() - started) / 1000;
    if (delivered !== lines) throw new Error(`pipeline delivered ${delivered} of ${lines} lines`);
    if (run > 0) rates.push(lines / seconds); // run 0 warms the JIT
  }
  const linesPerSecond = median(rates);

  // Paced: 10k lines/s for 3 s from two containers, delivered every 5 ms in chunks of at most
  // 16 KiB, through the default (VS Code) batching with its timer. The bytes are prepared first,
  // so that the worst event-loop delay measures the pipeline, not this producer.
  const arrival = 10_000;
  const pacedSeconds = 3;
  const total = arrival * pacedSeconds;
  const pacedBody = responseBody(total);
  const lineEnds: number[] = [];
  for (let i = pacedBody.indexOf(10); i !== -1; i = pacedBody.indexOf(10, i + 1)) lineEnds.push(i + 1);
  let delivered = 0;
  /** Longest synchronous stretch of pipeline work: parsing one delivery, or one batched append. */
  let maxWorkMs = 0;
  const batcher = new LogBatcher((text) => {
    const appendStarted = performance.now();
    delivered += countLines(text);
    maxWorkMs = Math.max(maxWorkMs, performance.now() - appendStarted);
  });
  const parsers = ['api', 'sidecar'].map((c) => new ContainerLogParser({ label: logLabel('api-7d9c8b6f5-x2x4k', c, 2), showTimestamps: false }));
  const push = (line: string): void => batcher.push(line);
  (globalThis as { gc?: () => void }).gc?.();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  let sent = 0;
  let offset = 0;
  let k = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(Math.floor(((performance.now() - started) / 1000) * arrival), total);
      if (due > sent) {
        const tickStarted = performance.now();
        const end = lineEnds[due - 1]!;
        for (const chunk of chunks(pacedBody.subarray(offset, end), 16 * 1024)) parsers[k++ % 2]!.push(chunk, push);
        offset = end;
        sent = due;
        maxWorkMs = Math.max(maxWorkMs, performance.now() - tickStarted);
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await sleep(200); // the last batch
  histogram.disable();
  batcher.dispose();
  return {
    linesPerSecond: Math.round(linesPerSecond),
    megabytesPerSecond: round((linesPerSecond * body.length) / lines / 1e6),
    arrivalLinesPerSecond: arrival,
    pacedSeconds,
    maxEventLoopStallMs: round(histogram.max / 1e6),
    maxPipelineWorkMs: round(maxWorkMs, 2),
    p99EventLoopDelayMs: round(histogram.percentile(99) / 1e6),
    pacedLinesDelivered: delivered,
    pacedLinesDropped: batcher.droppedLines,
  };
}

export interface LogsEndToEndBench {
  lines: number;
  /** `kubectl logs -f <pod>`: lines/s from spawning it to its last line. */
  kubectlLinesPerSecond: number;
  /** WorkloadLogStream (follow, whole log): lines/s from construction to the last line. */
  streamLinesPerSecond: number;
  /** stream / kubectl; above 1 is faster than kubectl. */
  ratio: number;
  streamLinesDropped: number;
}

/** Batching as `t logs` would use it: no drops while stdout keeps up. */
const CLI_BATCH: LogBatcherOptions = { flushIntervalMs: 20, maxChunkChars: 1024 * 1024, maxBufferedChars: 64 * 1024 * 1024 };

/**
 * The same pod log (100k lines, ~14 MB as CRI) read through the local control plane by
 * `kubectl logs -f` and by WorkloadLogStream; the better of 2 runs each.
 */
export async function benchLogsEndToEnd(cluster: LocalCluster): Promise<LogsEndToEndBench> {
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespace = `logs-bench-${Date.now().toString(36)}`;
  const lines = 100_000;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  try {
    await createWorkload(kc, namespace, { kind: 'Deployment', name: 'bench', replicas: 1 });
    const pod = await eventually('a running bench pod', async () => (await runningPods(kc, namespace, 'bench'))[0]?.metadata?.name, 60_000);
    const { current } = await cluster.podLogFile(namespace, pod, 'bench');
    const now = new Date().toISOString();
    const text: string[] = [];
    for (let i = 0; i < lines; i++) text.push(`${now} stdout F ${appLine(i)}\n`);
    fs.writeFileSync(current, text.join(''));
    // kwok picks up a new Logs object asynchronously: wait until the log is served.
    await eventually('the log served', async () => (await core.readNamespacedPodLog({ name: pod, namespace, tailLines: 1 })).length > 0, 30_000);

    const kubectl = async (): Promise<number> => {
      const started = performance.now();
      const child = spawn('kubectl', ['--kubeconfig', cluster.kubeconfigPath, '-n', namespace, 'logs', '-f', pod], { stdio: ['ignore', 'pipe', 'inherit'] });
      let seen = 0;
      try {
        await new Promise<void>((resolve, reject) => {
          child.on('error', reject);
          child.on('exit', (code) => reject(new Error(`kubectl exited (${code}) after ${seen} lines`)));
          child.stdout.on('data', (d: Buffer) => {
            for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) seen++;
            if (seen >= lines) resolve();
          });
        });
        return lines / ((performance.now() - started) / 1000);
      } finally {
        child.kill();
      }
    };

    const session = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    let dropped = 0;
    const stream = async (): Promise<number> => {
      const started = performance.now();
      let seen = 0;
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => { resolveDone = resolve; });
      const s = new WorkloadLogStream(session, namespace, { kind: 'Deployment', name: 'bench' }, (t) => {
        seen += countLines(t);
        if (seen >= lines) resolveDone();
      }, { batch: CLI_BATCH });
      try {
        await s.start();
        await Promise.race([done, sleep(15_000).then(() => { throw new Error(`WorkloadLogStream delivered ${seen} of ${lines} lines in 15 s`); })]);
        return lines / ((performance.now() - started) / 1000);
      } finally {
        await s.dispose();
        dropped += s.droppedLines;
      }
    };

    const kubectlRates: number[] = [];
    const streamRates: number[] = [];
    for (let run = 0; run < 2; run++) {
      kubectlRates.push(await kubectl());
      streamRates.push(await stream());
    }
    const kubectlLinesPerSecond = Math.max(...kubectlRates);
    const streamLinesPerSecond = Math.max(...streamRates);
    return {
      lines,
      kubectlLinesPerSecond: Math.round(kubectlLinesPerSecond),
      streamLinesPerSecond: Math.round(streamLinesPerSecond),
      ratio: round(streamLinesPerSecond / kubectlLinesPerSecond, 2),
      streamLinesDropped: dropped,
    };
  } finally {
    await core.deleteNamespace({ name: namespace });
  }
}
