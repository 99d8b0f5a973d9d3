import { z } from 'zod';

// Opaque to callers: base64url JSON holding the last id of the previous page
// (keyset pagination, stable under concurrent inserts).
const payloadSchema = z.object({ after: z.string().min(1).max(64) });

export const encodePageToken = (afterId: string): string =>
  Buffer.from(JSON.stringify({ after: afterId }), 'utf8').toString('base64url');

/** The id to continue after; undefined for the first page; null when the token is not one of ours. */
export function decodePageToken(token: string): string | undefined | null {
  if (token === '') return undefined;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.after : null;
  } catch {
    return null;
  }
}
