import { describe, expect, it } from 'vitest';
import { fitWidths, renderTable } from './table.js';
import { tableWidth } from './render.js';

describe('tables that fit the terminal', () => {
  const headers = ['ID', 'STATE', 'PARAMS'];
  const rows = [
    ['c1', 'COMPLETED', 'sh -c "echo a very long command line that does not fit"'],
    ['c2', 'FAILED', 'uname -a'],
  ];

  it('cuts the widest column first, with an ellipsis, to exactly the width', () => {
    const text = renderTable(headers, rows, 40);
    const lines = text.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBe(40);
    expect(lines[1]).toBe('c1  COMPLETED  sh -c "echo a very long …');
    expect(lines[2]).toBe('c2  FAILED     uname -a');
  });

  it('narrows several wide columns evenly, never below 5 characters or the header', () => {
    expect(fitWidths(['A', 'BBBBBBB', 'C'], [30, 30, 2], 30)).toEqual([12, 12, 2]);
    expect(fitWidths(['A', 'LONGHEADER'], [20, 20], 4)).toEqual([5, 10]);
  });

  it('does not cut what fits, nor without a width (not a terminal, or --wide)', () => {
    expect(renderTable(headers, rows, 500)).toBe(renderTable(headers, rows));
    expect(renderTable(headers, rows)).toContain('does not fit"');
    expect(tableWidth({ isTTY: true, columns: 80 }, false)).toBe(80);
    expect(tableWidth({ isTTY: true, columns: 80 }, true)).toBeUndefined();
    expect(tableWidth({ isTTY: false, columns: 80 }, false)).toBeUndefined();
    expect(tableWidth({}, false)).toBeUndefined();
  });
});
