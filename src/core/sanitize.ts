// The one sanitizer for text that comes from the cluster (log lines, events, annotations, server
// messages): it is untrusted, and a terminal obeys control sequences. Before such text reaches a
// terminal, an output channel, a notification or an Event, every C0 control but tab
// (U+0000–U+001F), DEL (U+007F) and every C1 control (U+0080–U+009F) is shown escaped as `\xNN`:
// nothing can set a window title, clear the screen, write the clipboard (OSC 52), plant a link
// (OSC 8), move the cursor over earlier lines or query the terminal. `--json` needs none of this:
// JSON.stringify escapes C0 itself, and a JSON reader is not a terminal.
// Values quoted in messages are also cut, so one annotation cannot flood a line.

/* eslint-disable no-control-regex */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/** A whole SGR sequence (colours, bold…: ESC [ params m), or one control character. */
const SGR_OR_CONTROL = /\x1b\[[0-9;:]{0,64}m|[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

export interface SanitizeOptions {
  /** Keep SGR sequences (colour) whole; every other escape sequence is still escaped. */
  keepSgr?: boolean | undefined;
}

function escapeControl(c: string): string {
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** `text` with its control characters shown escaped (`\x1b`); text without any is returned as is. */
export function sanitizeText(text: string, options: SanitizeOptions = {}): string {
  if (!CONTROL.test(text)) return text;
  if (options.keepSgr) return text.replace(SGR_OR_CONTROL, (m) => (m.length > 1 ? m : escapeControl(m)));
  return text.replace(CONTROLS, escapeControl);
}

/** Longest value quoted whole in a message; longer ones are cut with their length. */
export const MAX_QUOTED_CHARS = 80;

/** A cluster value to show (a tooltip): sanitized, cut to `max` characters with "…". */
export function shortText(value: string, max = MAX_QUOTED_CHARS): string {
  return value.length <= max ? sanitizeText(value) : `${sanitizeText(value.slice(0, cutAt(value, max)))}…`;
}

/** A cluster value for a message: sanitized, cut to `max` characters with "…" (N chars)", in quotes. */
export function quoteValue(value: string, max = MAX_QUOTED_CHARS): string {
  if (value.length <= max) return `"${sanitizeText(value)}"`;
  return `"${sanitizeText(value.slice(0, cutAt(value, max)))}…" (${value.length} chars)`;
}

/** Where to cut for at most `max` characters without splitting a surrogate pair. */
function cutAt(value: string, max: number): number {
  const code = value.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/**
 * Multi-line text for a log (an output channel): each line sanitized, line breaks kept, so a
 * message cannot rewrite or fake what is around it beyond starting a new line.
 */
export function sanitizeLines(text: string): string {
  return text.includes('\n') ? text.split('\n').map((line) => sanitizeText(line)).join('\n') : sanitizeText(text);
}
