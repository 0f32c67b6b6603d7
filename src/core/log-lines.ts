// Pod log text processing, free of I/O: splitting a byte stream into lines, the `timestamps=true`
// prefix and the resume cursor that makes reconnects lossless, line labels, and the batcher that
// keeps appends few and memory bounded whatever the log rate.
import { sanitizeText } from './sanitize.ts';

/** Longest line (in bytes, as received, timestamp included) shown in full; longer ones are cut. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

/** Receives one complete line. `line` may share memory with the chunk: read it during the call. */
export type LineCallback = (line: Buffer, totalBytes: number) => void;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines, whatever the chunk boundaries: a line may span chunks, `\r\n`
 * ends a line like `\n`, and a line longer than `maxLineBytes` keeps only its first bytes (cut on a
 * UTF-8 character boundary) while the rest is counted, not stored, so memory stays bounded.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  /** Kept bytes of the unfinished line (copies: chunks are not retained). */
  private parts: Buffer[] = [];
  private keptBytes = 0;
  /** Bytes of the unfinished line beyond maxLineBytes, dropped. */
  private droppedBytes = 0;
  /** Last byte of the unfinished line, to recognise a `\r` that ended the previous chunk. */
  private lastByte = -1;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    if (!(maxLineBytes >= 4)) throw new RangeError(`maxLineBytes must be at least 4, got ${maxLineBytes}`);
    this.maxLineBytes = maxLineBytes;
  }

  /** Feeds a chunk; calls `onLine` for every line it completes, with the line's full length. */
  push(chunk: Uint8Array, onLine: LineCallback): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        this.keep(buf, start, buf.length);
        return;
      }
      if (this.parts.length === 0 && this.droppedBytes === 0 && nl - start <= this.maxLineBytes) {
        // The common case: the whole line is inside this chunk; no copy.
        const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
        onLine(buf.subarray(start, end), end - start);
      } else {
        this.keep(buf, start, nl);
        this.finish(onLine);
      }
      start = nl + 1;
    }
  }

  /** The stream ended cleanly: a last line without a newline is still a line. */
  end(onLine: LineCallback): void {
    if (this.parts.length > 0 || this.droppedBytes > 0) this.finish(onLine);
  }

  /** The stream broke: forgets the unfinished line (it is sent again after a resume). */
  reset(): void {
    this.parts = [];
    this.keptBytes = 0;
    this.droppedBytes = 0;
    this.lastByte = -1;
  }

  /** Bytes held for the unfinished line (never more than maxLineBytes). */
  get bufferedBytes(): number {
    return this.keptBytes;
  }

  private keep(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.lastByte = buf[end - 1]!;
    const take = Math.min(end - start, this.maxLineBytes - this.keptBytes);
    if (take > 0) {
      this.parts.push(Buffer.from(buf.subarray(start, start + take)));
      this.keptBytes += take;
    }
    this.droppedBytes += end - start - take;
  }

  private finish(onLine: LineCallback): void {
    let line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.keptBytes);
    if (this.lastByte === CR) {
      // The `\r` of `\r\n` is not part of the line, whether it was kept or beyond the cut.
      if (this.droppedBytes > 0) this.droppedBytes--;
      else line = line.subarray(0, line.length - 1);
    }
    const total = this.droppedBytes > 0 ? this.keptBytes + this.droppedBytes : line.length;
    if (this.droppedBytes > 0) line = line.subarray(0, utf8Boundary(line));
    this.reset();
    onLine(line, total);
  }
}

/** Length of `buf` without a trailing incomplete UTF-8 sequence (so a cut never splits a character). */
function utf8Boundary(buf: Buffer): number {
  const end = buf.length;
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the lead byte of the last character.
  let i = end - 1;
  while (i >= 0 && end - i <= 3 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return end;
  const lead = buf[i]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + size > end ? i : end;
}

/**
 * Splits a `timestamps=true` log line (`2024-01-02T03:04:05.123456789Z text`) into its timestamp
 * and text. A line without a recognisable timestamp has `timestamp: undefined`.
 */
export function splitTimestamp(line: string): { timestamp: string | undefined; text: string } {
  const space = line.indexOf(' ');
  // RFC3339: at least `2024-01-02T03:04:05Z` (20), at most nanoseconds and an offset (35).
  if (space < 20 || space > 35 || line.charCodeAt(4) !== 0x2d || line.charCodeAt(10) !== 0x54) {
    return { timestamp: undefined, text: line };
  }
  return { timestamp: line.slice(0, space), text: line.slice(space + 1) };
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A key that sorts like the instant of an RFC3339(Nano) timestamp: UTC, nanoseconds padded to 9
 * digits. The kubelet's fixed-width form is already such a key. undefined when not RFC3339.
 */
export function timestampKey(timestamp: string): string | undefined {
  if (timestamp.length === 30 && timestamp.charCodeAt(29) === 0x5a && timestamp.charCodeAt(19) === 0x2e) return timestamp.slice(0, 29);
  const m = RFC3339.exec(timestamp);
  if (!m) return undefined;
  const [, base, fraction = '', zone] = m;
  let utc = base!;
  if (zone !== 'Z') {
    const ms = Date.parse(`${base}${zone}`);
    if (Number.isNaN(ms)) return undefined;
    utc = new Date(ms).toISOString().slice(0, 19);
  }
  return `${utc}.${fraction.padEnd(9, '0')}`;
}

/**
 * Where a followed log stream got to, so that a reconnect neither loses nor repeats lines.
 *
 * The API server truncates `sinceTime` to whole seconds and many lines can share one timestamp,
 * so a resumed response starts with lines already delivered. The cursor remembers the newest
 * timestamp and how many lines carried exactly it; after `resume()` it skips every older line and
 * that many lines with the same timestamp.
 */
export class LogCursor {
  private lastKey: string | undefined;
  private lastTimestamp: string | undefined;
  private countAtLast = 0;
  private skipKey: string | undefined;
  private toSkip = 0;

  /** The `sinceTime` to resume from; undefined while no timestamped line was delivered. */
  get sinceTime(): string | undefined {
    return this.lastTimestamp;
  }

  /** The next response repeats the stream from `sinceTime`: skip what was already delivered. */
  resume(): void {
    this.skipKey = this.lastKey;
    this.toSkip = this.countAtLast;
  }

  /** True when the line is new (and counts it as delivered), false when it is a repeat. */
  accept(timestamp: string | undefined): boolean {
    const key = timestamp === undefined ? undefined : timestampKey(timestamp);
    if (key === undefined) return true; // Nothing to compare: deliver rather than lose it.
    if (this.skipKey !== undefined) {
      if (key < this.skipKey) return false;
      if (key === this.skipKey && this.toSkip > 0) {
        this.toSkip--;
        return false;
      }
      this.skipKey = undefined;
    }
    if (key === this.lastKey) {
      this.countAtLast++;
    } else if (this.lastKey === undefined || key > this.lastKey) {
      this.lastKey = key;
      this.lastTimestamp = timestamp;
      this.countAtLast = 1;
    }
    // An older timestamp (out-of-order write) is delivered; the cursor keeps the newest.
    return true;
  }
}

/** `[pod] ` for a single-container pod, `[pod/container] ` otherwise. */
export function logLabel(pod: string, container: string, containerCount: number, suffix = ''): string {
  return containerCount > 1 ? `[${pod}/${container}${suffix}] ` : `[${pod}${suffix}] `;
}

/**
 * A line T-Env writes itself (not the container), e.g. "pod deleted", set apart by dashes. The
 * message may quote the API server (untrusted): it is sanitized.
 */
export function formatNotice(message: string, label = ''): string {
  return `${label}--- ${sanitizeText(message)} ---`;
}

export function cutMarker(totalBytes: number): string {
  return ` … [line cut: ${totalBytes} bytes]`;
}

export interface ContainerLogParserOptions {
  /** Prefix of every line, e.g. `[api-7d9c-x2x/app] ` (see logLabel). */
  label: string;
  /** Show each line's timestamp after the label. */
  showTimestamps: boolean;
  maxLineBytes?: number | undefined;
  /**
   * Control characters in the container's text: 'escape' (default) shows every one escaped (see
   * core/sanitize.ts), 'keep-sgr' keeps colour sequences too (a terminal), 'raw' passes them on as
   * written (the user asked for it: `t logs --raw`).
   */
  controls?: LogControls | undefined;
}

export type LogControls = 'escape' | 'keep-sgr' | 'raw';

/**
 * Turns the byte stream of one container's `timestamps=true` log responses into display lines:
 * split, decoded (invalid UTF-8 becomes U+FFFD), deduplicated across reconnects, sanitised, cut,
 * labelled. One parser lives as long as the container is followed, across reconnects.
 */
export class ContainerLogParser {
  readonly cursor = new LogCursor();
  private readonly splitter: LineSplitter;
  private readonly label: string;
  private readonly showTimestamps: boolean;
  private readonly controls: LogControls;
  private emit: (line: string) => void = () => undefined;
  private readonly onLine: LineCallback = (bytes, totalBytes) => this.line(bytes, totalBytes);

  constructor(options: ContainerLogParserOptions) {
    this.label = options.label;
    this.showTimestamps = options.showTimestamps;
    this.controls = options.controls ?? 'escape';
    this.splitter = new LineSplitter(options.maxLineBytes);
  }

  /** Feeds a chunk of a response; `emit` receives each new display line (without newline). */
  push(chunk: Uint8Array, emit: (line: string) => void): void {
    this.emit = emit;
    this.splitter.push(chunk, this.onLine);
  }

  /** The response ended normally: a last unterminated line is emitted. */
  end(emit: (line: string) => void): void {
    this.emit = emit;
    this.splitter.end(this.onLine);
  }

  /**
   * The response broke, or a new one starts: the unfinished line is dropped and, when lines were
   * delivered, returns the `sinceTime` to request (repeats are then skipped).
   */
  resume(): string | undefined {
    this.splitter.reset();
    this.cursor.resume();
    return this.cursor.sinceTime;
  }

  private line(bytes: Buffer, totalBytes: number): void {
    const { timestamp, text } = splitTimestamp(bytes.toString('utf8'));
    if (!this.cursor.accept(timestamp)) return;
    let shown = this.controls === 'raw' ? text : sanitizeText(text, { keepSgr: this.controls === 'keep-sgr' });
    if (totalBytes > bytes.length) {
      // Report the length of the text itself, as the user wrote it (without the timestamp).
      shown += cutMarker(timestamp === undefined ? totalBytes : totalBytes - timestamp.length - 1);
    }
    this.emit(this.showTimestamps && timestamp !== undefined ? `${this.label}${timestamp} ${shown}` : `${this.label}${shown}`);
  }
}

export interface LogBatcherOptions {
  /** Delay between a first buffered line and its append; further lines join the same append. */
  flushIntervalMs?: number;
  /** Most characters per append (one append per interval when the producer is faster). */
  maxChunkChars?: number;
  /** Most characters held; beyond it the oldest lines are dropped (and a marker says how many). */
  maxBufferedChars?: number;
}

/**
 * Suited to a VS Code output channel: at most 20 appends/s of at most 256 K characters (5 M chars/s,
 * e.g. 25k lines/s of 200 characters), at most 4 M characters held (under a second at that rate).
 */
export const DEFAULT_BATCH_OPTIONS: Required<LogBatcherOptions> = {
  flushIntervalMs: 50,
  maxChunkChars: 256 * 1024,
  maxBufferedChars: 4 * 1024 * 1024,
};

/** Receives batched text (whole lines, each ending in `\n`). A returned promise means "busy". */
export type LogSink = (text: string) => void | Promise<void>;

export function droppedMarker(count: number): string {
  return `[… ${count} line${count === 1 ? '' : 's'} dropped]`;
}

/**
 * Coalesces lines into few appends and bounds memory. Lines wait at most flushIntervalMs; each
 * append carries at most maxChunkChars; when more than maxBufferedChars wait (the consumer is
 * slower than the producer, or the sink's promise has not settled), the oldest lines are dropped
 * and the next append starts with a "[… N lines dropped]" marker.
 */
export class LogBatcher {
  private readonly sink: LogSink;
  private readonly options: Required<LogBatcherOptions>;
  /** Queue of lines from `head`; a plain array with a moving head so dropping is O(1). */
  private lines: (string | undefined)[] = [];
  private head = 0;
  private bufferedChars = 0;
  private droppedSinceFlush = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  private disposed = false;
  private draining: Promise<void> | undefined;
  /** Lines dropped since creation. */
  droppedLines = 0;

  constructor(sink: LogSink, options: LogBatcherOptions = {}) {
    this.sink = sink;
    this.options = { ...DEFAULT_BATCH_OPTIONS, ...options };
  }

  /** Characters waiting to be appended. */
  get buffered(): number {
    return this.bufferedChars;
  }

  /** Characters held at most before the oldest lines are dropped. */
  get capacity(): number {
    return this.options.maxBufferedChars;
  }

  /** Queues one line (without its newline). */
  push(line: string): void {
    if (this.disposed) return;
    this.lines.push(line);
    this.bufferedChars += line.length + 1;
    // Keep at least the newest line, however long (lines are already cut by the parser).
    while (this.bufferedChars > this.options.maxBufferedChars && this.lines.length - this.head > 1) {
      this.bufferedChars -= this.lines[this.head]!.length + 1;
      this.lines[this.head++] = undefined;
      this.droppedSinceFlush++;
      this.droppedLines++;
    }
    if (this.head > 4096 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    this.schedule();
  }

  /** Appends everything now, in chunks, ignoring the interval (e.g. before a notice or at the end). */
  flush(): void {
    this.clearTimer();
    // A flush cannot wait: an async sink's failure is its own to report.
    while (this.head < this.lines.length) this.emitChunk()?.catch(() => undefined);
  }

  /**
   * Appends everything, waiting for an async sink between chunks: backpressure for a reader that
   * can wait (a one-shot `t logs`), instead of dropping lines.
   */
  drain(): Promise<void> {
    // Callers share one drain: concurrent drains would each wait on the sink.
    this.draining ??= this.drainAll().finally(() => { this.draining = undefined; });
    return this.draining;
  }

  private async drainAll(): Promise<void> {
    this.clearTimer();
    while (this.head < this.lines.length) {
      const result = this.emitChunk();
      if (result) await result;
    }
  }

  /** Appends what is left and stops; later lines are ignored. */
  dispose(): void {
    this.flush();
    this.disposed = true;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.busy) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.head >= this.lines.length) return;
      const result = this.emitChunk();
      if (result) {
        this.busy = true;
        const done = (): void => {
          this.busy = false;
          if (this.head < this.lines.length && !this.disposed) this.schedule();
        };
        result.then(done, done);
      } else if (this.head < this.lines.length) {
        this.schedule();
      }
    }, this.options.flushIntervalMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Hands at most maxChunkChars (at least one line) to the sink. */
  private emitChunk(): Promise<void> | undefined {
    const parts: string[] = [];
    if (this.droppedSinceFlush > 0) {
      parts.push(droppedMarker(this.droppedSinceFlush));
      this.droppedSinceFlush = 0;
    }
    let chars = 0;
    while (this.head < this.lines.length) {
      const line = this.lines[this.head]!;
      if (chars > 0 && chars + line.length + 1 > this.options.maxChunkChars) break;
      parts.push(line);
      chars += line.length + 1;
      this.lines[this.head++] = undefined;
    }
    this.bufferedChars -= chars;
    if (this.head === this.lines.length) {
      this.lines = [];
      this.head = 0;
    }
    parts.push('');
    const result = this.sink(parts.join('\n'));
    return result instanceof Promise ? result : undefined;
  }
}
