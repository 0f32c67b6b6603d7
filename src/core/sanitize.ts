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

// ---- credentials -----------------------------------------------------------------------------

/** Text longer than this is cut before redaction (messages are one line; this bounds the work). */
const MAX_REDACT_CHARS = 4096;
/**
 * `refresh_token=…`, `client_secret:…`, `"password": "…"`, `apiKey=…`; not `cannot fetch token: reason`
 * (a colon and a space before an unquoted word is prose).
 */
const SECRET_PAIR = /\b((?:[A-Za-z_][\w-]{0,40}?)?(?:token|secret|password|passwd|credential|api[_-]?key)[\w-]{0,20})(["']?\s{0,4}(?:=\s{0,4}["']?|:\s{0,4}["']|:(?=[^\s"'])))([^\s"'&,;}]+)/gi;
/** `Authorization: Bearer …`, `Basic …` */
const AUTH_SCHEME = /\b(bearer|basic)\s+[\w.~+/=-]+/gi;
/** A JWT (what most cluster tokens are), even cut. */
const JWT = /\beyJ[\w-]{4,}(?:\.[\w-]*){0,2}/g;
/** V8's JSON.parse error quotes the start of its input: for an exec plugin, that is the token. */
const JSON_INPUT = /"(?:[^"\\]|\\.){0,200}"(?:\.\.\.)? is not valid JSON/g;
/** Object UIDs are no secret. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The `user:password@` of a URL (`https://alice:secret@host/`). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{0,20}:\/\/)[^/?#\s@]{1,256}@/gi;
/** Long opaque strings with letters and digits (API keys, session tokens). */
const OPAQUE = /[\w.+=-]{32,}/g;

/** `text` with the `user:password@` of every URL in it removed. */
export function withoutUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, '$1');
}

/**
 * `text` with whatever looks like a credential replaced by `[redacted]`: for messages that may
 * quote a credential helper (an exec plugin's stderr, its unparseable stdout) before they reach
 * an error, a notification or a log.
 */
export function redactCredentials(text: string): string {
  const cut = text.length > MAX_REDACT_CHARS ? `${text.slice(0, MAX_REDACT_CHARS)}…` : text;
  return withoutUrlUserinfo(cut)
    .replace(JSON_INPUT, '[redacted] is not valid JSON')
    .replace(SECRET_PAIR, '$1$2[redacted]')
    .replace(AUTH_SCHEME, '$1 [redacted]')
    .replace(JWT, '[redacted]')
    .replace(OPAQUE, (m) => (/[0-9]/.test(m) && /[A-Za-z]/.test(m) && !UUID.test(m) ? '[redacted]' : m));
}
