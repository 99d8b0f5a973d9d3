export interface OsRelease {
  id: string;
  name: string;
  version: string;
  versionId: string;
  prettyName: string;
}

/**
 * /etc/os-release (os-release(5)): KEY=value lines, values optionally in single
 * or double quotes, with backslash escapes inside double quotes; `#` lines are
 * comments. Missing keys are empty strings.
 */
export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    values.set(line.slice(0, eq), unquote(line.slice(eq + 1)));
  }
  const get = (k: string) => values.get(k) ?? '';
  return { id: get('ID'), name: get('NAME'), version: get('VERSION'), versionId: get('VERSION_ID'), prettyName: get('PRETTY_NAME') };
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
  return v;
}
