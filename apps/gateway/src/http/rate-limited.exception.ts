import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 whose Retry-After header the exception filter sets. */
export class RateLimitedException extends HttpException {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many attempts; retry later',
  ) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
