import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, tryAgainLaterReason } from './admission.js';

describe('retry-after hint of a 4429 close', () => {
  it('round-trips through the close reason', () => {
    expect(tryAgainLaterReason(5000)).toBe('try again later; retry-after-ms=5000');
    expect(parseRetryAfterMs(tryAgainLaterReason(1234.6, 'too many agents'))).toBe(1235);
  });

  it('is absent from a reason without one, and never read out of another word', () => {
    expect(parseRetryAfterMs('try again later')).toBeUndefined();
    expect(parseRetryAfterMs('x-retry-after-ms=5')).toBeUndefined();
    expect(parseRetryAfterMs('retry-after-ms=abc')).toBeUndefined();
  });
});
