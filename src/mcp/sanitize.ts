// Text from the cluster (log lines, event messages, names, error messages) is untrusted: what
// reaches an agent goes through the one sanitizer of src/core (control characters shown escaped,
// line breaks kept), applied to every string of a structured result, keys included.
import { sanitizeLines } from '../core/sanitize.ts';

/** `text` with control characters other than tab and newline shown escaped (`\x1b`). */
export function sanitizeAgentText(text: string): string {
  return sanitizeLines(text);
}

/** A JSON value with every string (keys included) sanitized. */
export function sanitizeAgentValue<T>(value: T): T {
  if (typeof value === 'string') return sanitizeAgentText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => sanitizeAgentValue(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitizeAgentText(k), sanitizeAgentValue(v as unknown)])) as T;
  }
  return value;
}
