/** Plain-text tables for terminals: columns padded to their widest cell. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [...tableLines(headers, () => rows)].join('\n');
}

/**
 * A padded table, line by line. `rows` is walked twice (widths, then lines) so a caller with
 * millions of rows can produce them on demand instead of holding them; widths are kept with a
 * loop, since Math.max(...column) overflows the stack on a long column.
 */
export function* tableLines(headers: readonly string[], rows: () => Iterable<ReadonlyArray<string | number>>): Generator<string> {
  const widths = headers.map((h) => h.length);
  for (const r of rows()) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  const line = (r: ReadonlyArray<string | number>) =>
    r
      .map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  yield line(headers);
  for (const r of rows()) yield line(r);
}

export function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

export function seconds(fromIso: string, toIso: string): string {
  return `${((Date.parse(toIso) - Date.parse(fromIso)) / 1000).toFixed(1)}s`;
}
