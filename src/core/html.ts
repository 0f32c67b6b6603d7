// Text for HTML (the savings report webview): names, owners and problems come from the cluster, so
// every value that goes into markup is escaped here, the one place that does it. Escaped for both
// element text and quoted attribute values; control characters are shown as `\xNN` first
// (sanitize.ts), so a value can neither open a tag nor hide what follows it.
import { sanitizeText } from './sanitize.ts';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' };

/** `text` safe inside an element or a quoted attribute: `&<>"'` as entities, controls escaped. */
export function escapeHtml(text: string): string {
  return sanitizeText(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
