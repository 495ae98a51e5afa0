/** Plain-text tables for terminals: columns padded to their widest cell. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  // A loop, not Math.max(...column): a spread of a long column overflows the stack.
  const widths = headers.map(() => 0);
  for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return cells.map((r) => line(r as string[])).join('\n');
}

export function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

export function seconds(fromIso: string, toIso: string): string {
  return `${((Date.parse(toIso) - Date.parse(fromIso)) / 1000).toFixed(1)}s`;
}
