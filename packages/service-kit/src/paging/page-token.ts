import { z } from 'zod';

/** A page token that is not one this listing issued, or was issued for other filters. */
export class InvalidPageTokenError extends Error {
  override name = 'InvalidPageTokenError';
}

const envelope = z.object({ v: z.literal(1), s: z.string(), c: z.unknown() });

/**
 * Page tokens: opaque to callers (base64url JSON), versioned, holding the
 * keyset cursor where the previous page ended, and bound to a scope (the
 * listing's filters) so a token cannot silently page through another listing.
 * One codec per listing, with the cursor's schema.
 */
export class PageTokenCodec<C> {
  constructor(
    private readonly cursorSchema: z.ZodType<C, unknown>,
    /** Named in errors: "not a token from ListCommands". */
    private readonly listing: string,
  ) {}

  encode(cursor: C, scope = ''): string {
    return Buffer.from(JSON.stringify({ v: 1, s: scope, c: cursor }), 'utf8').toString('base64url');
  }

  /** The cursor to continue after; undefined for the first page (no token). Throws InvalidPageTokenError. */
  decode(token: string | undefined, scope = ''): C | undefined {
    if (!token) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidPageTokenError(`is not a token from ${this.listing}`);
    }
    const outer = envelope.safeParse(data);
    const cursor = outer.success ? this.cursorSchema.safeParse(outer.data.c) : undefined;
    if (!outer.success || !cursor?.success) throw new InvalidPageTokenError(`is not a token from ${this.listing}`);
    if (outer.data.s !== scope) throw new InvalidPageTokenError('was issued for different filters');
    return cursor.data;
  }
}
