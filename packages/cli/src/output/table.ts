type Cell = string | number | null | undefined;

const GAP = '  ';
/** A column is never cut below this (or its header, or its natural width when that is smaller). */
const MIN_COLUMN = 5;

/**
 * Left-aligned columns separated by two spaces; empty cells show "-". With `maxWidth` (the
 * terminal's width) the widest columns are narrowed one character at a time until the table
 * fits, and cut cells end in "…"; without it (not a terminal, or --wide) nothing is cut.
 */
export function renderTable(headers: string[], rows: Cell[][], maxWidth?: number): string {
  const cells = rows.map((r) => headers.map((_, i) => cell(r[i])));
  const natural = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const widths = maxWidth === undefined ? natural : fitWidths(headers, natural, maxWidth);
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? clip(c, widths[i]!) : clip(c, widths[i]!).padEnd(widths[i]!))).join(GAP);
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** Column widths that fit `maxWidth`, taking from the widest column first. */
export function fitWidths(headers: string[], natural: number[], maxWidth: number): number[] {
  const widths = [...natural];
  const floor = natural.map((w, i) => Math.min(w, Math.max(headers[i]!.length, MIN_COLUMN)));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  while (total() > maxWidth) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > floor[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    // Every column at its floor: the table stays wider than the terminal rather than unreadable.
    if (widest < 0) break;
    widths[widest]!--;
  }
  return widths;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** "key: value" lines with the keys aligned. */
export function renderFields(fields: [string, Cell][]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${cell(v)}`).join('\n') + '\n';
}

function cell(v: Cell): string {
  if (v === null || v === undefined || v === '') return '-';
  // One row per line: a newline in a value would break the table.
  return String(v).replace(/\s*\n\s*/g, ' ');
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
