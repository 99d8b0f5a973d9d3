import { z } from 'zod';
import type { ApiErrorBody } from '../http/api-exception.filter.js';
import type { FieldErrorBody } from '../http/field-error.js';

/**
 * Every 4xx and 5xx the API answers (ApiExceptionFilter), whatever failed: validation, bad
 * JSON, a body too large, credentials (401) and roles (403), unknown routes (404), rate limits
 * (429), the peer services (502/503/504) and unexpected errors (500).
 */
export const errorBody = z.object({
  statusCode: z.number().int().min(400).max(599).describe('the HTTP status, repeated'),
  error: z.string().min(1).describe('the status text, e.g. Bad Request'),
  message: z.string().min(1).describe('what is wrong, for people; starts with the field when one is to blame'),
  field: z
    .string()
    .min(1)
    .optional()
    .describe('the input to blame, where one is: `targets`, `params.argv.0`, `pageToken`, `id`, `body` for invalid JSON or a body too large'),
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable()
    .describe("the request's trace id (the logs' `trace_id`): find the trace and the logs of this failure by it; null only for an untraced request"),
});
type ErrorBody = z.infer<typeof errorBody>;

// The filter's own types must stay what the schema says, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _apiErrorBodyIsDocumented: Same<ApiErrorBody, ErrorBody> = true;
const _fieldErrorBodyIsDocumented: FieldErrorBody & { traceId: string | null } extends ErrorBody ? true : false = true;
