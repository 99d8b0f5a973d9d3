import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export interface AgentCredential {
  id: string;
  token: string;
  site?: string;
}

const credentialSchema = z.object({ id: z.string().min(1), token: z.string().min(16), site: z.string().optional() });

/**
 * A credentials file: a JSON array of {id, token, site?}, or one `id token [site]` per line (what a
 * benchmark writes for 50,000 agents without holding them twice in memory as JSON).
 */
export function readCredentialsFile(path: string): AgentCredential[] {
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('[')) return z.array(credentialSchema).parse(JSON.parse(text));
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line, n) => {
      const [id, token, site] = line.split(/\s+/);
      const parsed = credentialSchema.safeParse({ id, token, ...(site ? { site } : {}) });
      if (!parsed.success) throw new Error(`${path}:${n + 1}: expected "id token [site]"`);
      return parsed.data;
    });
}

/** Writes credentials as `id token site` lines, readable only by the owner (they are the agents' secrets). */
export function writeCredentialsFile(path: string, credentials: AgentCredential[]): void {
  writeFileSync(path, credentials.map((c) => `${c.id} ${c.token}${c.site ? ` ${c.site}` : ''}`).join('\n') + '\n', { mode: 0o600 });
}
