import pg from 'pg';

// PostgreSQL's internal one-byte type "char" (OID 18) appears in catalog columns such as
// pg_class.relkind and pg_constraint.contype, which the schema engine reads to describe a
// database. adapter-pg 7.10.1 has no mapping for it and reports "Column type 'char' could
// not be deserialized", so every diff through a shadow database fails. pg already returns
// such values as strings; relabelling the column as text (OID 25) lets the adapter pass them on.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] } | undefined;
type AnyQuery = (this: pg.Client, ...args: unknown[]) => unknown;
type QueryCallback = (error: unknown, result: unknown) => unknown;

const isCallback = (value: unknown): value is QueryCallback => typeof value === 'function';

function relabelCharColumns<T>(result: T): T {
  for (const part of Array.isArray(result) ? (result as QueryResultLike[]) : [result as QueryResultLike]) {
    for (const field of part?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/** A pg.Client for pools handed to PrismaPg (via the pool's `Client` option) that relabels "char" columns. */
export class CatalogCharClient extends pg.Client {}

// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever called as baseQuery.apply(this, …) with a client as `this`
const baseQuery = pg.Client.prototype.query as AnyQuery;
// Assigned on the prototype because pg.Client#query has a dozen overloads that a method override cannot restate.
(CatalogCharClient.prototype as unknown as { query: AnyQuery }).query = function query(this: pg.Client, ...args: unknown[]) {
  const callback = args.at(-1);
  if (isCallback(callback)) {
    // pg-pool's pool.query() uses the callback form.
    args[args.length - 1] = (error: unknown, result: unknown) => callback(error, error ? result : relabelCharColumns(result));
    return baseQuery.apply(this, args);
  }
  const pending = baseQuery.apply(this, args);
  return pending instanceof Promise ? pending.then(relabelCharColumns) : pending;
};
