import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/principal.js';
import type { SessionEnder } from '../auth/session-ender.js';
import { PasswordHasher } from './password-hasher.js';
import { hashPassword } from './password.js';
import type { GuardedChange, UserRow, UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

const admin: Caller = { principal: { kind: 'user', userId: 'u-admin', email: 'a@example.com', role: 'admin', sessionId: 'fam-admin' }, ip: '10.0.0.1' };
const key: Caller = { principal: { kind: 'api_key', apiKeyId: 'k-1', userId: 'u-admin', role: 'admin', scopes: ['users:write'] }, ip: null };

const row = (over: Partial<UserRow>): UserRow => ({
  id: 'u-1',
  email: 'ops@example.com',
  passwordHash: 'x',
  role: 'operator',
  createdAt: new Date(0),
  disabledAt: null,
  lastLoginAt: null,
  sessionVersion: 0,
  ...over,
});

function setup(answers: { update?: GuardedChange<UserRow>; delete?: GuardedChange<null>; user?: UserRow } = {}) {
  const audits: AuditEntry[] = [];
  const audit = {
    recordFor: (c: Caller, e: AuditEntry) => {
      audits.push({ ...e, principal: c.principal });
      return Promise.resolve();
    },
  };
  const sessions = { allEnded: vi.fn(), endOthers: vi.fn(() => Promise.resolve(3)) };
  const setPasswordHash = vi.fn(() => Promise.resolve());
  const users = {
    update: () => Promise.resolve(answers.update),
    delete: () => Promise.resolve(answers.delete),
    findById: (id: string) => Promise.resolve(answers.user?.id === id ? answers.user : null),
    setPasswordHash,
  };
  const service = new UsersService(
    users as unknown as UsersRepository,
    new PasswordHasher(),
    sessions as unknown as SessionEnder,
    audit as unknown as AuditService,
    new FakeClock(),
  );
  return { service, audits, sessions, setPasswordHash };
}

describe(UsersService.name, () => {
  it('refuses to demote, disable or delete the last enabled admin (409), audited as denied, ending nothing', async () => {
    const last = row({ id: 'u-admin', role: 'admin' });
    const { service, audits, sessions } = setup({ update: { outcome: 'last_admin', row: last }, delete: { outcome: 'last_admin', row: last } });
    await expect(service.update(admin, 'u-admin', { role: 'viewer' })).rejects.toMatchObject({ status: 409 });
    await expect(service.update(admin, 'u-admin', { disabled: true })).rejects.toMatchObject({ status: 409 });
    await expect(service.delete(admin, 'u-admin')).rejects.toMatchObject({ status: 409 });
    expect(audits.map((a) => [a.action, a.outcome, a.details?.reason])).toEqual([
      ['user.update', 'denied', 'last_admin'],
      ['user.update', 'denied', 'last_admin'],
      ['user.delete', 'denied', 'last_admin'],
    ]);
    expect(sessions.allEnded).not.toHaveBeenCalled();
  });

  it("ends the user's sessions (streams included) when it is disabled or demoted, not when promoted", async () => {
    const before = row({ role: 'operator' });
    const disabled = setup({ update: { outcome: 'done', before, row: row({ disabledAt: new Date() }) } });
    expect((await disabled.service.update(admin, 'u-1', { disabled: true })).disabledAt).not.toBeNull();
    expect(disabled.sessions.allEnded).toHaveBeenCalledWith('u-1');
    expect(disabled.audits[0]).toMatchObject({ action: 'user.update', outcome: 'success', target: 'u-1', details: { disabled: true, sessionsEnded: true } });

    const demoted = setup({ update: { outcome: 'done', before, row: row({ role: 'viewer' }) } });
    await demoted.service.update(admin, 'u-1', { role: 'viewer' });
    expect(demoted.sessions.allEnded).toHaveBeenCalledWith('u-1');
    expect(demoted.audits[0]?.details).toMatchObject({ roleFrom: 'operator', role: 'viewer', sessionsEnded: true });

    const promoted = setup({ update: { outcome: 'done', before, row: row({ role: 'admin' }) } });
    await promoted.service.update(admin, 'u-1', { role: 'admin' });
    expect(promoted.sessions.allEnded).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown user, audited as failed', async () => {
    const { service, audits } = setup({ update: { outcome: 'not_found' }, delete: { outcome: 'not_found' } });
    await expect(service.update(admin, 'u-9', { disabled: true })).rejects.toMatchObject({ status: 404 });
    await expect(service.delete(admin, 'u-9')).rejects.toMatchObject({ status: 404 });
    expect(audits.map((a) => [a.action, a.outcome])).toEqual([
      ['user.update', 'failed'],
      ['user.delete', 'failed'],
    ]);
  });

  describe('password change', () => {
    it("checks the current password, stores the new one and ends the user's other sessions", async () => {
      const me = row({ id: 'u-admin', passwordHash: await hashPassword('current password', { m: 64, t: 1, p: 1 }) });
      const { service, audits, sessions, setPasswordHash } = setup({ user: me });
      await service.changePassword(admin, { currentPassword: 'current password', newPassword: 'a brand new password' });
      expect(setPasswordHash).toHaveBeenCalledWith('u-admin', expect.stringMatching(/^\$argon2id\$/));
      expect(sessions.endOthers).toHaveBeenCalledWith('u-admin', 'fam-admin');
      expect(audits[0]).toMatchObject({ action: 'user.password_change', outcome: 'success' });
      expect(JSON.stringify(audits)).not.toContain('password"');
    });

    it('answers 400 naming currentPassword for a wrong one, changing nothing', async () => {
      const me = row({ id: 'u-admin', passwordHash: await hashPassword('current password', { m: 64, t: 1, p: 1 }) });
      const { service, audits, sessions, setPasswordHash } = setup({ user: me });
      const err = await service.changePassword(admin, { currentPassword: 'nope', newPassword: 'a brand new password' }).catch((e: unknown) => e);
      expect((err as { getResponse(): unknown }).getResponse()).toMatchObject({ statusCode: 400, field: 'currentPassword' });
      expect(setPasswordHash).not.toHaveBeenCalled();
      expect(sessions.endOthers).not.toHaveBeenCalled();
      expect(audits[0]).toMatchObject({ outcome: 'failed', details: { reason: 'bad_password' } });
    });

    it('refuses an API key with 403, audited as denied', async () => {
      const { service, audits } = setup();
      await expect(service.changePassword(key, { currentPassword: 'x', newPassword: 'a brand new password' })).rejects.toMatchObject({ status: 403 });
      expect(audits[0]).toMatchObject({ action: 'user.password_change', outcome: 'denied', details: { reason: 'api_key' } });
    });
  });
});
