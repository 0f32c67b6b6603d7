// Dev-mode latencies of the performance budget, measured with the FAKE okteto CLI
// (test/fixtures/okteto-fake): a state-file write reaching OktetoSessionWatcher (target ≤ 100 ms,
// what the status bar shows) and OktetoCli starting `okteto up` until the child process exists
// (target ≤ 150 ms; the fake's own Node start-up after `spawn` is the child's time, not ours).
// Run alone: node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON bench/okteto-status.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OktetoCli } from '../src/adapters/okteto-cli.ts';
import { OktetoSessionWatcher } from '../src/adapters/okteto-session-watcher.ts';
import { OKTETO_PROGRESS_STATES } from '../src/core/okteto-manifest.ts';

export interface LatencyStats {
  medianMs: number;
  p95Ms: number;
  samples: number;
}

function stats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)), samples: sorted.length };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes okteto.state like `okteto up` does (truncate + write, a different state each time) and
 * times each write until the watcher's `state` event. Writes are spaced like real state changes
 * (okteto's are seconds apart), so that each sample is one write's latency.
 */
export async function benchOktetoStateLatency(writes = 50, gapMs = 80): Promise<LatencyStats> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-bench-okteto-'));
  // The folder does not exist yet, as before a first `okteto up`: the watcher waits through its parent.
  const watcher = new OktetoSessionWatcher({ namespace: 'bench', service: 'api', home, ignoreExisting: true, timeoutMs: 0, stallMs: 3_600_000, pid: process.pid });
  const samples: number[] = [];
  try {
    await watcher.start();
    const dir = path.join(home, '.okteto', 'bench', 'api');
    fs.mkdirSync(dir, { recursive: true });
    await sleep(200);
    for (let i = 0; i < writes; i++) {
      const state = OKTETO_PROGRESS_STATES[i % OKTETO_PROGRESS_STATES.length]!;
      const seen = new Promise<number>((resolve) => watcher.once('state', () => resolve(performance.now())));
      const started = performance.now();
      fs.writeFileSync(path.join(dir, 'okteto.state'), state);
      const timeout = sleep(2000).then(() => Number.NaN);
      const at = await Promise.race([seen, timeout]);
      if (Number.isNaN(at)) throw new Error(`the watcher missed write ${i} (${state})`);
      samples.push(at - started);
      await sleep(gapMs);
    }
  } finally {
    await watcher.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  }
  return stats(samples);
}

/**
 * Times OktetoCli.spawnUp until the child's `spawn` event (the process exists), with a located
 * CLI as the extension keeps one. Each child is killed right away.
 */
export async function benchSpawnLatency(runs = 20): Promise<LatencyStats> {
  const fakeDir = new URL('../test/fixtures/okteto-fake', import.meta.url).pathname;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tenv-bench-spawn-'));
  const env = { PATH: [fakeDir, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter), HOME: home };
  const samples: number[] = [];
  try {
    const cli = await OktetoCli.locate(undefined, env);
    const target = { service: 'api', manifest: path.join(home, 'okteto.yml'), namespace: 'bench' };
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const up = cli.spawnUp(target, { cwd: home });
      await up.spawned;
      samples.push(performance.now() - started);
      up.kill('SIGKILL');
      await up.exited;
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
  return stats(samples);
}

if (import.meta.main) {
  const state = await benchOktetoStateLatency();
  console.log(`okteto state file → watcher event: median ${state.medianMs} ms, p95 ${state.p95Ms} ms over ${state.samples} writes (target ≤ 100 ms)`);
  const spawn = await benchSpawnLatency();
  console.log(`OktetoCli.spawnUp → okteto process spawned: median ${spawn.medianMs} ms, p95 ${spawn.p95Ms} ms over ${spawn.samples} runs (target ≤ 150 ms)`);
}
