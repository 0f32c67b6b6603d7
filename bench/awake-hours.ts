// Awake-hours parsing against hostile annotations (issue #17, M3): the shape that made the old
// window regex quadratic (`a`, a long run of spaces, `b`), at the 1 KB cap and at 100 KB (what one
// developer could put in an annotation to stall the shared sleeper). The baseline is that old
// regex on the same input, measured here on 1 KB and 10 KB only (100 KB took 12.7 s).
import { SleepSchedule } from '../src/core/schedule.ts';
import { median, round } from './stats.ts';

/** The window pattern T-Env used before the linear tokenizer (kept here only as the baseline). */
const OLD_WINDOW_PATTERN = /^(\S.*?)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/;

function worst(chars: number): string {
  return `a${' '.repeat(chars - 2)}b`;
}

/** Median µs of `work` over `runs`. */
function timeUs(runs: number, work: () => void): number {
  const samples = Array.from({ length: runs }, () => {
    const started = performance.now();
    work();
    return (performance.now() - started) * 1000;
  });
  return round(median(samples), 1);
}

function parse(spec: string): void {
  try {
    SleepSchedule.parse(spec);
  } catch {
    // Expected: the point is how long it takes to say no.
  }
}

export function benchAwakeHours(runs: number): { capUs: number; hugeUs: number; oldCapUs: number; old10kUs: number; ratio: number } {
  const cap = worst(1024);
  const huge = worst(100_000);
  const capUs = timeUs(runs, () => parse(cap));
  const hugeUs = timeUs(runs, () => parse(huge));
  const oldCapUs = timeUs(runs, () => OLD_WINDOW_PATTERN.exec(cap));
  const old10kUs = timeUs(Math.min(runs, 3), () => OLD_WINDOW_PATTERN.exec(worst(10_240)));
  return { capUs, hugeUs, oldCapUs, old10kUs, ratio: round(oldCapUs / Math.max(capUs, 0.1), 1) };
}
