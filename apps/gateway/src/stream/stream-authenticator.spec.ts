import { describe, expect, it } from 'vitest';
import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import { RevocationEvents } from '../auth/revocation-events.js';
import { concerns, StreamAuthenticator } from './stream-authenticator.js';

const user: Principal = { kind: 'user', userId: 'u-1', email: 'v@example.com', role: 'viewer', sessionId: 's-1' };
const key = (scopes: Scope[]): Principal => ({
  kind: 'api_key',
  apiKeyId: 'k-1',
  userId: 'u-1',
  role: 'viewer',
  scopes,
});

describe(StreamAuthenticator.name, () => {
  it('lets a key stream only with commands:read, and a user of any role', async () => {
    let presented: Principal = key(['agents:read']);
    const apiKeys = { verify: () => Promise.resolve({ principal: presented, expiresAt: 123 }) };
    const tokens = { verify: () => Promise.resolve({ principal: user, expiresAt: 456 }) };
    const events = new RevocationEvents({ subscribe: () => undefined as never, emit: () => undefined });
    const auth = new StreamAuthenticator(tokens as unknown as AccessTokenVerifier, apiKeys as unknown as ApiKeysService, events);
    expect(await auth.authenticate({ apiKey: 'fp_x' })).toBeNull();
    presented = key(['commands:read']);
    expect(await auth.authenticate({ apiKey: 'fp_x' })).toEqual({ principal: presented, expiresAt: 123 });
    expect(await auth.authenticate({ token: 'jwt' })).toEqual({ principal: user, expiresAt: 456 });
  });

  it('calls a watcher back for the revocations that name its user, key or session, until it unwatches', () => {
    const events = new RevocationEvents({ subscribe: () => undefined as never, emit: () => undefined });
    const auth = new StreamAuthenticator({} as AccessTokenVerifier, {} as ApiKeysService, events);
    let calls = 0;
    const unwatch = auth.watch(user, () => calls++);
    events.deliver({ userId: 'u-2' });
    events.deliver({ sid: 's-1' });
    events.deliver({ userId: 'u-1' });
    unwatch();
    events.deliver({ userId: 'u-1' });
    expect(calls).toBe(2);
  });

  it('matches a revocation by user for every credential, by key only for that key, by session only for that session', () => {
    const k = key(['commands:read']);
    expect(concerns({ userId: 'u-1' }, user)).toBe(true);
    expect(concerns({ userId: 'u-1' }, k)).toBe(true);
    expect(concerns({ apiKeyId: 'k-1' }, k)).toBe(true);
    expect(concerns({ apiKeyId: 'k-1' }, user)).toBe(false);
    expect(concerns({ apiKeyId: 'k-2' }, k)).toBe(false);
    expect(concerns({ sid: 's-1' }, user)).toBe(true);
    expect(concerns({ sid: 's-2' }, user)).toBe(false);
    expect(concerns({ sid: 's-1' }, k)).toBe(false);
    expect(concerns({}, user)).toBe(false);
  });
});
