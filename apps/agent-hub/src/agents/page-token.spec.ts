import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './page-token.js';

describe('page tokens', () => {
  it('round-trips the last id', () => {
    expect(decodePageToken(encodePageToken('web-9'))).toBe('web-9');
  });
  it('treats an empty token as the first page', () => {
    expect(decodePageToken('')).toBeUndefined();
  });
  it.each(['garbage!', Buffer.from('{"after":5}').toString('base64url'), Buffer.from('[]').toString('base64url')])(
    'refuses a token it did not issue: %s',
    (t) => expect(decodePageToken(t)).toBeNull(),
  );
});
