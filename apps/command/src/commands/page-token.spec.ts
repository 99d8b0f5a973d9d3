import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './page-token.js';

const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '6f1c1f8e-8a0e-4c3b-9a51-2f0b8f6a1d2e' };

describe('page tokens', () => {
  it('round-trips a cursor for the same agent filter', () => {
    expect(decodePageToken(encodePageToken('agent-1', cursor), 'agent-1')).toEqual(cursor);
    expect(decodePageToken(encodePageToken('', cursor), '')).toEqual(cursor);
  });

  it('refuses a token issued for another agent filter', () => {
    expect(decodePageToken(encodePageToken('agent-1', cursor), 'agent-2')).toEqual({ error: 'was issued for a different agent_id' });
  });

  it('refuses garbage', () => {
    expect(decodePageToken('not-a-token', '')).toHaveProperty('error');
    expect(decodePageToken(Buffer.from('{"a":"","c":"yesterday","i":"x"}').toString('base64url'), '')).toHaveProperty('error');
  });
});
