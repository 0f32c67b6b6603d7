// Durations as people type them (90s, 15m, 4h, 1h30m, 2d): one parser for the CLI's flags, the
// MCP tools' arguments and the editor's input boxes.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like 90s, 15m, 4h, 1h30m or 2d; undefined when the text is not one (or is zero). */
export function parseDurationMs(text: string): number | undefined {
  let total = 0;
  let consumed = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed += m[0];
  }
  return consumed === text && total > 0 ? total : undefined;
}
