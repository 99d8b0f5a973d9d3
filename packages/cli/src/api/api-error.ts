import { errorBodySchema } from './schemas.js';

/** A non-2xx answer from the gateway, with what the operator needs to act on it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly field?: string,
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter?: string,
  ) {
    super(describeApiError(status, apiMessage, field, retryAfter));
  }

  static async from(res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    let message = res.statusText || `HTTP ${res.status}`;
    let field: string | undefined;
    try {
      const body = errorBodySchema.safeParse(JSON.parse(text));
      if (body.success) {
        message = body.data.message ?? body.data.error ?? message;
        field = body.data.field;
      }
    } catch {
      // Not JSON (a proxy's HTML page, say): the status line is all there is.
    }
    return new ApiError(res.status, message, field, res.headers.get('retry-after') ?? undefined);
  }
}

const WHAT: Record<number, string> = {
  400: 'bad request',
  401: 'not authenticated',
  403: 'permission denied',
  404: 'not found',
  409: 'conflict',
  429: 'rate limited',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/** One line: "bad request (400): field params.argv: must be an array". */
export function describeApiError(status: number, message: string, field?: string, retryAfter?: string): string {
  const what = WHAT[status] ?? (status >= 500 ? 'server error' : 'request failed');
  let text = message;
  // The gateway writes "params.argv: …" already; name the field only when the message does not.
  if (field) text = message.startsWith(`${field}: `) ? `field ${message}` : `field ${field}: ${message}`;
  if (status === 429 && retryAfter) text += `; retry after ${retryAfter} s`;
  return `${what} (${status}): ${text}`;
}
