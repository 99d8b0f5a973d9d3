import { errorBodySchema } from './schemas.js';

/** A non-2xx answer from the gateway, with what the operator needs to act on it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly field?: string,
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter?: string,
    /** The request's trace id from the error body: the gateway's logs and trace of this failure. */
    readonly traceId?: string,
  ) {
    super(describeApiError(status, apiMessage, field, retryAfter, traceId));
  }

  static async from(res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    let message = res.statusText || `HTTP ${res.status}`;
    let field: string | undefined;
    let traceId: string | undefined;
    try {
      const body = errorBodySchema.safeParse(JSON.parse(text));
      if (body.success) {
        message = body.data.message ?? body.data.error ?? message;
        field = body.data.field;
        traceId = body.data.traceId ?? undefined;
      }
    } catch {
      // Not JSON (a proxy's HTML page, say): the status line is all there is.
    }
    return new ApiError(res.status, message, field, res.headers.get('retry-after') ?? undefined, traceId);
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

/** One line: "bad request (400): field params.argv: must be an array (trace 4bf9…)". */
export function describeApiError(status: number, message: string, field?: string, retryAfter?: string, traceId?: string): string {
  const what = WHAT[status] ?? (status >= 500 ? 'server error' : 'request failed');
  let text = message;
  // The gateway writes "params.argv: …" already; name the field only when the message does not.
  if (field) text = message.startsWith(`${field}: `) ? `field ${message}` : `field ${field}: ${message}`;
  if (status === 429 && retryAfter) text += `; retry after ${retryAfter} s`;
  // The trace id finds this request's logs and spans; it is what to quote when reporting a failure.
  return `${what} (${status}): ${text}${traceId ? ` (trace ${traceId})` : ''}`;
}
