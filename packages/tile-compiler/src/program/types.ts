/**
 * The JSON form of a tile program. It is what operators submit and what the
 * tile-worker will persist, so every shape here is plain data (no functions)
 * and carries a `version` so the format can evolve without guessing.
 */
export const PROGRAM_VERSION = 1 as const;

export type FieldType = 'number' | 'string' | 'boolean';
export type Schema = Readonly<Record<string, FieldType>>;
export type Scalar = number | string | boolean;
export type Row = Record<string, Scalar>;

/** Built-in aggregates are associative, so the partitioned form can combine them. */
export type Aggregate =
  | { readonly op: 'count' }
  | { readonly op: 'sum' | 'min' | 'max' | 'mean'; readonly expr: string }
  | {
      readonly op: 'custom';
      /** Expression over no fields: the accumulator's starting value (and combine's identity). */
      readonly init: string;
      /** Expression over the row's fields plus `acc`. */
      readonly step: string;
      /** Expression over `a` and `b` (two partial accumulators); required for partitioning. */
      readonly combine?: string;
    };

export interface RecordsSourceTile {
  readonly id: string;
  readonly kind: 'records';
  readonly schema: Schema;
  /** Inline rows; when absent the rows are bound at run time under the tile id. */
  readonly rows?: readonly Row[];
}

export interface ColumnsSourceTile {
  readonly id: string;
  readonly kind: 'columns';
  /** Numeric columns only: bound at run time as Float64Array (or number[]) so loops avoid boxing. */
  readonly fields: readonly string[];
  readonly data?: Readonly<Record<string, readonly number[]>>;
}

export interface MapTile {
  readonly id: string;
  readonly kind: 'map';
  readonly input: string;
  /** Output fields and the expression for each; the output row has exactly these fields. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface FilterTile {
  readonly id: string;
  readonly kind: 'filter';
  readonly input: string;
  readonly predicate: string;
}

export interface FlatMapTile {
  readonly id: string;
  readonly kind: 'flatMap';
  readonly input: string;
  /** Each input row yields one output row per entry whose `when` holds (all entries share one schema). */
  readonly emit: readonly { readonly when?: string; readonly fields: Readonly<Record<string, string>> }[];
}

export interface ReduceTile {
  readonly id: string;
  readonly kind: 'reduce';
  readonly input: string;
  readonly aggregates: Readonly<Record<string, Aggregate>>;
}

export interface GroupByTile {
  readonly id: string;
  readonly kind: 'groupBy';
  readonly input: string;
  readonly keys: readonly string[];
  readonly aggregates: Readonly<Record<string, Aggregate>>;
}

export interface WindowTile {
  readonly id: string;
  readonly kind: 'window';
  readonly input: string;
  /** Numeric time field (e.g. epoch milliseconds). */
  readonly timeField: string;
  readonly size: number;
  /** Omitted or equal to size: tumbling. Smaller than size: sliding (a row lands in several windows). */
  readonly slide?: number;
  readonly keys?: readonly string[];
  readonly aggregates: Readonly<Record<string, Aggregate>>;
}

export interface SortTile {
  readonly id: string;
  readonly kind: 'sort';
  readonly input: string;
  readonly by: readonly { readonly field: string; readonly order?: 'asc' | 'desc' }[];
}

export interface LimitTile {
  readonly id: string;
  readonly kind: 'limit';
  readonly input: string;
  readonly count: number;
}

export interface MergeTile {
  readonly id: string;
  readonly kind: 'merge';
  readonly inputs: readonly string[];
}

export interface SinkTile {
  readonly id: string;
  readonly kind: 'sink';
  readonly input: string;
}

export type SourceTile = RecordsSourceTile | ColumnsSourceTile;
export type Tile =
  | RecordsSourceTile
  | ColumnsSourceTile
  | MapTile
  | FilterTile
  | FlatMapTile
  | ReduceTile
  | GroupByTile
  | WindowTile
  | SortTile
  | LimitTile
  | MergeTile
  | SinkTile;
export type TileKind = Tile['kind'];

export interface Program {
  readonly version: typeof PROGRAM_VERSION;
  readonly tiles: readonly Tile[];
}

/** Data bound at run time to source tiles, by tile id. */
export type Inputs = Readonly<Record<string, readonly Row[] | Readonly<Record<string, Float64Array | readonly number[]>>>>;

/** Results by sink id. */
export type Outputs = Record<string, Row[]>;

export function tileInputs(tile: Tile): readonly string[] {
  switch (tile.kind) {
    case 'records':
    case 'columns':
      return [];
    case 'merge':
      return tile.inputs;
    default:
      return [tile.input];
  }
}
