import type { PageTokenCodec } from '../paging/page-token.js';
import { InvalidPageTokenError } from '../paging/page-token.js';
import { invalidArgument } from './grpc-errors.js';

/** A gRPC listing's `page_token`: the cursor to continue after, or INVALID_ARGUMENT naming the field (AIP-158). */
export function decodeGrpcPageToken<C>(codec: PageTokenCodec<C>, token: string | undefined, scope = ''): C | undefined {
  try {
    return codec.decode(token, scope);
  } catch (err) {
    if (err instanceof InvalidPageTokenError) throw invalidArgument('page_token', err.message);
    throw err;
  }
}
