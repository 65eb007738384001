/**
 * Renders rows as columns aligned with three spaces between them, kubectl style; the last column
 * is not padded, so lines carry no trailing spaces. Empty cells print as "-" to keep columns
 * countable for `awk`.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => row[i] || "-"));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ""))));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell) + 3)))
        .join(""),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/**
 * Renders "Key:  value" lines with values aligned; a multi-line value continues under the first
 * line's value column. Pairs with an empty value are left out.
 */
export function renderDetails(pairs: readonly (readonly [string, string])[]): string {
  const shown = pairs.filter(([, value]) => value !== "");
  const keyWidth = Math.max(0, ...shown.map(([key]) => width(key) + 1));
  return shown
    .map(([key, value]) => {
      const [first = "", ...rest] = value.split("\n");
      const indent = " ".repeat(keyWidth + 2);
      return [`${`${key}:`.padEnd(keyWidth)}  ${first}`, ...rest.map((line) => indent + line)].join("\n");
    })
    .map((line) => `${line}\n`)
    .join("");
}

function width(text: string): number {
  return [...text].length;
}
