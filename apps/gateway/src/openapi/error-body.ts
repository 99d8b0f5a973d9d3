import { z } from 'zod';
import type { FieldErrorBody } from '../http/field-error.js';
import type { HttpErrorBody } from '../http/grpc-http.js';

/** Every 4xx and 5xx the API answers (ApiExceptionFilter): Nest's HttpExceptions, field errors, mapped gRPC failures. */
export const errorBody = z.object({
  statusCode: z.number().int(),
  error: z.string().describe('the status text, e.g. Bad Request'),
  message: z.string(),
  field: z.string().optional().describe('the bad field of a 400 (`targets`, `params.argv`, `body` for invalid JSON)'),
});
type ErrorBody = z.infer<typeof errorBody>;

// The filter's own types must stay what the schema says, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _httpErrorBodyIsDocumented: Same<HttpErrorBody, ErrorBody> = true;
const _fieldErrorBodyIsDocumented: FieldErrorBody extends ErrorBody ? true : false = true;
