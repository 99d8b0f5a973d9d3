/** `prisma migrate dev` names folders `<UTC yyyymmddHHMMss>_<snake_name>`; keep that so histories stay interchangeable. */
export function migrationDirName(name: string, now: Date = new Date()): string {
  const snake = toSnakeName(name);
  if (!snake) throw new Error(`Migration name "${name}" has no letters or digits`);
  return `${utcTimestamp(now)}_${snake}`;
}

export function utcTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    String(date.getUTCFullYear()) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}

export function toSnakeName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
