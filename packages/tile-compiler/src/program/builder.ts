import { PROGRAM_VERSION, type Aggregate, type FieldType, type Program, type Row, type Schema, type Tile } from './types.js';

/**
 * A typed builder for tile programs. Field names flow through the type
 * parameter, so keys, sort fields and time fields are checked by TypeScript;
 * expression strings are checked when the program is compiled.
 */
export class ProgramBuilder {
  private readonly tiles: Tile[] = [];
  private counter = 0;

  private nextId(prefix: string, id: string | undefined): string {
    return id ?? `${prefix}${++this.counter}`;
  }

  /** @internal used by TileRef */
  add<S extends Schema>(tile: Tile): TileRef<S> {
    this.tiles.push(tile);
    return new TileRef<S>(this, tile.id);
  }

  /** @internal */
  id(prefix: string, id: string | undefined): string {
    return this.nextId(prefix, id);
  }

  records<const S extends Schema>(schema: S, options: { id?: string; rows?: readonly Row[] } = {}): TileRef<S> {
    const id = this.nextId('records', options.id);
    return this.add<S>({ id, kind: 'records', schema, ...(options.rows === undefined ? {} : { rows: options.rows }) });
  }

  columns<const F extends string>(fields: readonly F[], options: { id?: string } = {}): TileRef<Record<F, 'number'>> {
    const id = this.nextId('columns', options.id);
    return this.add<Record<F, 'number'>>({ id, kind: 'columns', fields: [...fields] });
  }

  merge<S extends Schema>(branches: readonly TileRef<S>[], id?: string): TileRef<S> {
    return this.add<S>({ id: this.nextId('merge', id), kind: 'merge', inputs: branches.map((b) => b.id) });
  }

  build(): Program {
    return { version: PROGRAM_VERSION, tiles: [...this.tiles] };
  }
}

type Fields<S extends Schema> = keyof S & string;
type AggOut<A> = { [K in keyof A]: 'number' };

export class TileRef<S extends Schema> {
  constructor(
    private readonly builder: ProgramBuilder,
    readonly id: string,
  ) {}

  /** Output field types cannot be inferred from expression text at the type level; pass them if you want them typed. */
  map<const O extends Record<string, string>, T extends Record<keyof O, FieldType> = Record<keyof O, FieldType>>(fields: O, id?: string): TileRef<T> {
    return this.builder.add<T>({ id: this.builder.id('map', id), kind: 'map', input: this.id, fields });
  }

  filter(predicate: string, id?: string): TileRef<S> {
    return this.builder.add<S>({ id: this.builder.id('filter', id), kind: 'filter', input: this.id, predicate });
  }

  flatMap<const O extends Record<string, string>>(emit: readonly { when?: string; fields: O }[], id?: string): TileRef<Record<keyof O, FieldType>> {
    return this.builder.add({ id: this.builder.id('flatMap', id), kind: 'flatMap', input: this.id, emit });
  }

  reduce<const A extends Record<string, Aggregate>>(aggregates: A, id?: string): TileRef<AggOut<A>> {
    return this.builder.add({ id: this.builder.id('reduce', id), kind: 'reduce', input: this.id, aggregates });
  }

  groupBy<const K extends Fields<S>, const A extends Record<string, Aggregate>>(
    keys: readonly K[],
    aggregates: A,
    id?: string,
  ): TileRef<Pick<S, K> & AggOut<A>> {
    return this.builder.add({ id: this.builder.id('groupBy', id), kind: 'groupBy', input: this.id, keys: [...keys], aggregates });
  }

  window<const K extends Fields<S>, const A extends Record<string, Aggregate>>(
    options: { timeField: Fields<S>; size: number; slide?: number; keys?: readonly K[]; aggregates: A },
    id?: string,
  ): TileRef<{ windowStart: 'number'; windowEnd: 'number' } & Pick<S, K> & AggOut<A>> {
    const { timeField, size, slide, keys, aggregates } = options;
    return this.builder.add({
      id: this.builder.id('window', id),
      kind: 'window',
      input: this.id,
      timeField,
      size,
      ...(slide === undefined ? {} : { slide }),
      ...(keys === undefined ? {} : { keys: [...keys] }),
      aggregates,
    });
  }

  sort(by: readonly { field: Fields<S>; order?: 'asc' | 'desc' }[], id?: string): TileRef<S> {
    return this.builder.add<S>({ id: this.builder.id('sort', id), kind: 'sort', input: this.id, by });
  }

  limit(count: number, id?: string): TileRef<S> {
    return this.builder.add<S>({ id: this.builder.id('limit', id), kind: 'limit', input: this.id, count });
  }

  sink(id?: string): void {
    this.builder.add({ id: this.builder.id('sink', id), kind: 'sink', input: this.id });
  }
}
