import type pg from 'pg';

/** Rows per ordinary table (`schema.table` → count), counted on the given connection — inside its snapshot. */
export async function tableRowCounts(client: pg.ClientBase): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
     ORDER BY 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { schema, name } of tables) {
    const { rows } = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${ident(schema)}.${ident(name)}`);
    counts[`${schema}.${name}`] = Number(rows[0]!.count);
  }
  return counts;
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
