/**
 * A PostgreSQL array literal (`{"a","b",NULL}`) of one batch column, sent as a single text
 * parameter and cast in the statement (`$1::text[]`). Cheaper than handing the driver a
 * JavaScript array of thousands of elements: Prisma's raw-query path inspects every element of
 * every array argument and pg then serialises each one again; a batch of 5,000 samples has
 * ~60,000 of them. Numbers go as they are (PostgreSQL's float8 input reads `1e-7`, `NaN`,
 * `Infinity`); everything else is double-quoted with `"` and `\` escaped.
 */
export function pgArray(values: readonly (string | number | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else parts[i] = `"${v.replace(/["\\]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}
