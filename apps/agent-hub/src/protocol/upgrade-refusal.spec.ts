import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, parseUpgradeRetryAfterMs } from '@fleetplane/contracts';
import { upgradeRefusalResponse } from './upgrade-refusal.js';

/** The status and lower-cased headers of a raw HTTP response, as Node's client would hand them over. */
function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head, body = ''] = raw.split('\r\n\r\n');
  const [statusLine, ...lines] = head!.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}

describe(upgradeRefusalResponse.name, () => {
  it('is a 503 whose headers carry the hint in seconds and milliseconds, and whose body says why', () => {
    const r = parse(upgradeRefusalResponse({ reason: 'connects_per_second', retryAfterMs: 2_500 }));
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('3');
    expect(parseUpgradeRetryAfterMs(r.status, r.headers)).toBe(2_500);
    expect(r.headers['connection']).toBe('close');
    expect(r.body).toBe('connects per second; retry-after-ms=2500\n');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    expect(parseRetryAfterMs(r.body.trim())).toBe(2_500);
  });
});
