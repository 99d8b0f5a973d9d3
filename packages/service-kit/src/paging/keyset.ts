/** Page sizes every listing shares: a request for 0 (or none) gets the default, more than the maximum gets the maximum. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export const pageSize = (requested: number | undefined | null): number =>
  !requested || requested <= 0 ? DEFAULT_PAGE_SIZE : Math.min(Math.floor(requested), MAX_PAGE_SIZE);

/** A keyset cursor: the sort key and id of the last row of the previous page (just the id when ordering by id alone). */
export interface KeysetCursor<K> {
  key: K;
  id: string;
}

export type IdCursor = Pick<KeysetCursor<never>, 'id'>;

/** (field, idField) order; without a sort field, rows are ordered by the id column alone. */
export interface KeysetOrder {
  field?: string;
  /** The tie-breaking unique column; default `id`. */
  idField?: string;
  direction: 'asc' | 'desc';
}

/**
 * The Prisma `where` for rows after `cursor` in (field, id) order, newest or
 * oldest first: stable while rows are inserted, unlike OFFSET.
 */
export function keysetWhere<K>(cursor: KeysetCursor<K> | IdCursor | undefined, order: KeysetOrder): Record<string, unknown> {
  if (!cursor) return {};
  const op = order.direction === 'desc' ? 'lt' : 'gt';
  const id = order.idField ?? 'id';
  if (!order.field || !('key' in cursor)) return { [id]: { [op]: cursor.id } };
  return { OR: [{ [order.field]: { [op]: cursor.key } }, { [order.field]: cursor.key, [id]: { [op]: cursor.id } }] };
}

/** The Prisma `orderBy` that matches keysetWhere. */
export const keysetOrderBy = (order: KeysetOrder): Array<Record<string, 'asc' | 'desc'>> => {
  const id = order.idField ?? 'id';
  return order.field ? [{ [order.field]: order.direction }, { [id]: order.direction }] : [{ [id]: order.direction }];
};

/**
 * Cuts a page from rows fetched with `take: size + 1`: the extra row only
 * says that another page exists, so the last page never ends with an empty one.
 */
export function takePage<R, C>(rows: R[], size: number, cursorOf: (last: R) => C): { items: R[]; next?: C } {
  if (rows.length <= size) return { items: rows };
  const items = rows.slice(0, size);
  return { items, next: cursorOf(items[items.length - 1]!) };
}
