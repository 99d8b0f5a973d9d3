import { z } from 'zod';

/** Where the previous page ended: the last command's creation time and id (newest first). */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const tokenSchema = z.object({
  a: z.string(), // the agent filter the token was issued for ('' for none)
  c: z.iso.datetime({ offset: true }),
  i: z.uuid(),
});

/** Opaque to callers; bound to the agent filter so a token cannot silently page through another listing. */
export function encodePageToken(agentId: string, cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ a: agentId, c: cursor.createdAt.toISOString(), i: cursor.id })).toString('base64url');
}

export function decodePageToken(token: string, agentId: string): PageCursor | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return { error: 'not a token from ListCommands' };
  }
  const parsed = tokenSchema.safeParse(data);
  if (!parsed.success) return { error: 'not a token from ListCommands' };
  if (parsed.data.a !== agentId) return { error: 'was issued for a different agent_id' };
  return { createdAt: new Date(parsed.data.c), id: parsed.data.i };
}
