import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/principal.js';
import { SCOPES } from '../auth/scopes.js';
import type { SessionEnder } from '../auth/session-ender.js';
import { sha256 } from '../crypto/secrets.js';
import type { User } from '../generated/prisma/client.js';
import { apiKeyPrefix, newApiKey } from './api-key-format.js';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

const admin: Caller = { principal: { kind: 'user', userId: 'u-admin', email: 'a@example.com', role: 'admin', sessionId: 's-1' }, ip: '127.0.0.1' };

function setup() {
  const rows: (ApiKeyRow & { user: User })[] = [];
  const owner: User = {
    id: 'u-admin',
    email: 'a@example.com',
    passwordHash: 'x',
    role: 'admin',
    createdAt: new Date(),
    disabledAt: null,
    lastLoginAt: null,
    sessionVersion: 0,
  };
  const touch = vi.fn(() => Promise.resolve());
  const repo = {
    create: (r: { prefix: string; keyHash: string; name: string; role: ApiKeyRow['role']; userId: string; scopes: string[]; expiresAt: Date | null }) => {
      const row = { ...r, id: `k${rows.length + 1}`, createdAt: new Date(), lastUsedAt: null, revokedAt: null, user: owner };
      rows.push(row);
      return Promise.resolve(row);
    },
    findByPrefix: (p: string) => Promise.resolve(rows.find((r) => r.prefix === p) ?? null),
    findById: (id: string) => Promise.resolve(rows.find((r) => r.id === id) ?? null),
    revoke: (id: string, now: Date) => {
      const r = rows.find((x) => x.id === id);
      if (r && !r.revokedAt) r.revokedAt = now;
      return Promise.resolve();
    },
    touch,
  };
  const audits: AuditEntry[] = [];
  const audit = {
    recordFor: (c: Caller, e: AuditEntry) => {
      audits.push({ ...e, principal: c.principal });
      return Promise.resolve();
    },
  };
  const clock = new FakeClock();
  const revokedKeys: string[] = [];
  const sessions = { apiKeyRevoked: (id: string) => void revokedKeys.push(id) };
  return {
    rows,
    owner,
    touch,
    audits,
    clock,
    revokedKeys,
    service: new ApiKeysService(repo as unknown as ApiKeysRepository, audit as unknown as AuditService, sessions as unknown as SessionEnder, clock),
  };
}

describe(ApiKeysService.name, () => {
  it('makes fp_<prefix>_<secret> keys whose prefix is recoverable', () => {
    const { key, prefix } = newApiKey();
    expect(key).toMatch(/^fp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(apiKeyPrefix('fp_short_x')).toBeNull();
    expect(apiKeyPrefix(`${key}x`)).toBeNull();
  });

  it('stores only the hash, shows the key once, and audits the creation without it', async () => {
    const { service, rows, audits } = setup();
    const { key, apiKey } = await service.create(admin, { name: 'ci', role: 'operator' });
    expect(rows[0]?.keyHash).toBe(sha256(key));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(apiKey).not.toHaveProperty('keyHash');
    expect(JSON.stringify(audits)).not.toContain(key.slice('fp_'.length + 12 + 1)); // the secret part: base64url, may itself contain '_'
    expect(audits[0]).toMatchObject({ action: 'api_key.create', outcome: 'success', target: apiKey.id });
  });

  it('authenticates a key with its own role, until it is revoked', async () => {
    const { service } = setup();
    const { key, apiKey } = await service.create(admin, { name: 'ci', role: 'operator' });
    expect(await service.authenticate(key)).toEqual({ kind: 'api_key', apiKeyId: apiKey.id, userId: 'u-admin', role: 'operator', scopes: SCOPES });
    await service.revoke(admin, apiKey.id);
    expect(await service.authenticate(key)).toBeNull();
  });

  it('tells the open streams when a key is revoked (they re-check and close)', async () => {
    const { service, revokedKeys } = setup();
    const { apiKey } = await service.create(admin, { name: 'ci', role: 'viewer' });
    await service.revoke(admin, apiKey.id);
    expect(revokedKeys).toEqual([apiKey.id]);
  });

  it('gives a key every scope by default, else the ones asked for, each once and in a fixed order', async () => {
    const { service } = setup();
    expect((await service.create(admin, { name: 'all', role: 'viewer' })).apiKey.scopes).toEqual([...SCOPES]);
    const { apiKey, key } = await service.create(admin, { name: 'some', role: 'viewer', scopes: ['commands:read', 'agents:read', 'commands:read'] });
    expect(apiKey.scopes).toEqual(['agents:read', 'commands:read']);
    expect(await service.authenticate(key)).toMatchObject({ scopes: ['agents:read', 'commands:read'] });
  });

  it('refuses a key past its expiresAt like a revoked one, and tells the stream when it expires', async () => {
    const { service, clock } = setup();
    const expiresAt = new Date(clock.nowMs() + 60_000).toISOString();
    const { apiKey, key } = await service.create(admin, { name: 'short', role: 'viewer', expiresAt });
    expect(apiKey.expiresAt).toBe(expiresAt);
    expect((await service.verify(key))?.expiresAt).toBe(Date.parse(expiresAt));
    clock.advance(59_999);
    expect(await service.authenticate(key)).not.toBeNull();
    clock.advance(1);
    expect(await service.authenticate(key)).toBeNull();
  });

  it('answers 400 naming expiresAt for an expiry that is not in the future, and audits the attempt', async () => {
    const { service, clock, audits, rows } = setup();
    const err = await service.create(admin, { name: 'x', role: 'viewer', expiresAt: clock.now().toISOString() }).catch((e: unknown) => e);
    expect((err as { getResponse(): unknown }).getResponse()).toMatchObject({ statusCode: 400, field: 'expiresAt' });
    expect(rows).toEqual([]);
    expect(audits[0]).toMatchObject({ action: 'api_key.create', outcome: 'failed', details: { reason: 'expires_in_the_past' } });
  });

  it('refuses a key whose secret does not match its prefix', async () => {
    const { service } = setup();
    const { key } = await service.create(admin, { name: 'ci', role: 'viewer' });
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect(await service.authenticate(forged)).toBeNull();
    expect(await service.authenticate('not-a-key')).toBeNull();
  });

  it("never grants more than the owner's current role, and dies with a disabled owner", async () => {
    const { service, owner } = setup();
    const { key } = await service.create(admin, { name: 'ci', role: 'admin' });
    owner.role = 'viewer';
    expect((await service.authenticate(key))?.role).toBe('viewer');
    owner.disabledAt = new Date();
    expect(await service.authenticate(key)).toBeNull();
  });

  it('updates lastUsedAt at most once a minute', async () => {
    const { service, rows, touch, clock } = setup();
    const { key } = await service.create(admin, { name: 'ci', role: 'viewer' });
    await service.authenticate(key);
    rows[0]!.lastUsedAt = clock.now();
    clock.advance(59_000);
    await service.authenticate(key);
    expect(touch).toHaveBeenCalledTimes(1);
  });

  it('answers 404 for revoking an unknown key, and audits the attempt', async () => {
    const { service, audits } = setup();
    await expect(service.revoke(admin, 'nope')).rejects.toMatchObject({ status: 404 });
    expect(audits[0]).toMatchObject({ action: 'api_key.revoke', outcome: 'failed' });
  });
});
