import type { Row } from '@fleetplane/tile-compiler';

/**
 * Rows of one partition as columns on SharedArrayBuffers, for posting to a worker thread.
 * Structured-cloning row objects is the partition's cost otherwise: for 1,000,000 `{site, cpu}`
 * rows a clone of half of them takes ~0.7 s on the bench machine against ~80 ms to run the whole
 * program in one thread (BENCHMARKS.md). Here numbers travel as a Float64Array, booleans as
 * bytes and strings as Int32 codes into this partition's own dictionary (fleet data repeats
 * sites, agent ids and labels), all shared — a retried partition reuses them — and the thread
 * rebuilds the row objects, in parallel with the other threads.
 */
export interface RowBatch {
  readonly kind: 'row-batch';
  readonly length: number;
  readonly fields: Readonly<Record<string, NumberColumn | BooleanColumn | StringColumn>>;
}
interface NumberColumn {
  readonly type: 'number';
  readonly values: Float64Array;
}
interface BooleanColumn {
  readonly type: 'boolean';
  readonly values: Uint8Array;
}
interface StringColumn {
  readonly type: 'string';
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export const isRowBatch = (src: unknown): src is RowBatch => (src as { kind?: unknown } | null)?.kind === 'row-batch';

const shared = <T>(make: (buffer: SharedArrayBuffer) => T, bytes: number): T => make(new SharedArrayBuffer(Math.max(bytes, 8)));

/** Rows [start, end) as a batch of the fields in `schema` (the types the compiler checked them against). */
export function encodeRows(rows: readonly Row[], start: number, end: number, schema: Readonly<Record<string, string>>): RowBatch {
  const n = end - start;
  const fields: Record<string, RowBatch['fields'][string]> = {};
  for (const [f, type] of Object.entries(schema)) {
    if (type === 'number') {
      const values = shared((b) => new Float64Array(b, 0, n), n * 8);
      for (let i = 0; i < n; i++) values[i] = rows[start + i]![f] as number;
      fields[f] = { type, values };
    } else if (type === 'boolean') {
      const values = shared((b) => new Uint8Array(b, 0, n), n);
      for (let i = 0; i < n; i++) values[i] = rows[start + i]![f] ? 1 : 0;
      fields[f] = { type, values };
    } else {
      const codes = shared((b) => new Int32Array(b, 0, n), n * 4);
      const index = new Map<string, number>();
      const dictionary: string[] = [];
      for (let i = 0; i < n; i++) {
        const s = rows[start + i]![f] as string;
        let code = index.get(s);
        if (code === undefined) {
          code = dictionary.push(s) - 1;
          index.set(s, code);
        }
        codes[i] = code;
      }
      fields[f] = { type: 'string', codes, dictionary };
    }
  }
  return { kind: 'row-batch', length: n, fields };
}

type Decoder = (columns: readonly unknown[], n: number) => Row[];
const decoders = new Map<string, Decoder>();

/**
 * A row builder for one list of fields and types: an object literal of fixed shape per row,
 * generated once per list. Assigning fields one by one to `{}` builds each row through shape
 * transitions — 2 to 6 times slower for the same rows.
 */
function decoderFor(fields: ReadonlyArray<readonly [string, RowBatch['fields'][string]]>): Decoder {
  const key = fields.map(([f, c]) => `${f}:${c.type}`).join('\0');
  let decode = decoders.get(key);
  if (decode === undefined) {
    const loads = fields.map(([, c], k) => (c.type === 'string' ? `d${k}[v${k}[i]]` : c.type === 'number' ? `v${k}[i]` : `v${k}[i] === 1`));
    const prelude = fields.map(([, c], k) =>
      c.type === 'string' ? `const v${k} = cols[${k}].codes, d${k} = cols[${k}].dictionary;` : `const v${k} = cols[${k}].values;`,
    );
    const literal = fields.map(([f], k) => `${JSON.stringify(f)}: ${loads[k]!}`).join(', ');
    // Field names are JSON string literals and the rest is fixed text: no caller text becomes code.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a generated row builder is the point (see above); no caller text is code
    decode = new Function(
      'cols',
      'n',
      `${prelude.join('\n')}\nconst rows = new Array(n);\nfor (let i = 0; i < n; i++) rows[i] = { ${literal} };\nreturn rows;`,
    ) as Decoder;
    decoders.set(key, decode);
  }
  return decode;
}

/** The batch's row objects again, in order (in the worker thread). */
export function decodeRows(batch: RowBatch): Row[] {
  const fields = Object.entries(batch.fields);
  return decoderFor(fields)(
    fields.map(([, c]) => c),
    batch.length,
  );
}
