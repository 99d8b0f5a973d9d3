import { stringify } from 'yaml';
import type { OutputFormat } from '../config/config-file.js';
import { json } from './table.js';

/** Where a table is printed: only a terminal has a width to fit. */
export interface Terminal {
  isTTY?: boolean;
  columns?: number;
}

/** The table's width limit: the terminal's width, or none when not a terminal or with --wide. */
export function tableWidth(out: Terminal, wide: boolean): number | undefined {
  if (wide || !out.isTTY || !out.columns) return undefined;
  return out.columns;
}

/**
 * `data` as JSON or YAML (the same value either way: what the gateway answered, as parsed), or the
 * command's human view. `table` gets the width to fit.
 */
export function render(format: OutputFormat, data: unknown, table: (width: number | undefined) => string, width: number | undefined): string {
  if (format === 'json') return json(data);
  if (format === 'yaml') return stringify(data, { lineWidth: 0 });
  return table(width);
}
