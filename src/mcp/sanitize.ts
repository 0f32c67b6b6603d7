// Text from the cluster (log lines, event messages, names, error messages) is untrusted: before it
// reaches an agent it loses every C0 control character except tab and newline, DEL and every C1
// control character (terminal escapes, carriage returns that hide text, 8-bit CSI).
// LOCAL to the MCP server for now: the shared sanitizer of src/core should replace it.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `text` without control characters other than tab and newline. */
export function sanitizeAgentText(text: string): string {
  return text.replace(UNSAFE, '');
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
