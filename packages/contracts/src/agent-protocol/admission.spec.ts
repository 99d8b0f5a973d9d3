import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, parseUpgradeRetryAfterMs, tryAgainLaterReason, upgradeRefusalHeaders } from './admission.js';

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

describe('retry-after hint of a refused upgrade (HTTP 503)', () => {
  it('round-trips through the headers, Retry-After in whole seconds rounded up', () => {
    const headers = upgradeRefusalHeaders(1_500);
    expect(headers).toEqual({ 'Retry-After': '2', 'retry-after-ms': '1500' });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(parseUpgradeRetryAfterMs(503, lower)).toBe(1_500);
  });

  it('falls back to Retry-After seconds, and reads a 429 too', () => {
    expect(parseUpgradeRetryAfterMs(503, { 'retry-after': '3' })).toBe(3_000);
    expect(parseUpgradeRetryAfterMs(429, { 'retry-after-ms': ['250', '999'] })).toBe(250);
  });

  it('is absent for other statuses, missing or malformed headers and HTTP dates', () => {
    expect(parseUpgradeRetryAfterMs(502, { 'retry-after-ms': '100' })).toBeUndefined();
    expect(parseUpgradeRetryAfterMs(503, {})).toBeUndefined();
    expect(parseUpgradeRetryAfterMs(503, { 'retry-after-ms': '-5', 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' })).toBeUndefined();
  });
});
