import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeFeed, openAuthenticatedSession, type FakeSocket } from '../test/stream-session-fakes.js';
import type { BackupUpdated } from './stream.protocol.js';
import type { StreamSession } from './stream-session.js';

// The backup part of the session: subscribe_backups, its permission, its job filter.

const JOB = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const event = (over: Partial<BackupUpdated> = {}): BackupUpdated => ({
  jobId: JOB,
  kind: 'BACKUP',
  state: 'RUNNING',
  progress: { bytesRead: 1024, bytesStored: 512, dedupRatio: 2, bytesExpected: 4096, etaSeconds: 3 },
  at: '2026-12-01T12:00:00.000Z',
  ...over,
});

describe('StreamSession backup jobs', () => {
  let socket: FakeSocket;
  let backups: FakeFeed<BackupUpdated>;
  let mayReadBackups: boolean;
  let session: StreamSession;
  let say: (frame: unknown) => Promise<void>;

  beforeEach(async () => {
    vi.useFakeTimers();
    backups = new FakeFeed<BackupUpdated>();
    mayReadBackups = true;
    ({ socket, session, say } = await openAuthenticatedSession({ backups, mayReadBackups: () => mayReadBackups }));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('pushes nothing before subscribe_backups, then every backup.updated with its progress', async () => {
    backups.publish(event());
    expect(socket.sent).toEqual([]);
    await say({ type: 'subscribe_backups' });
    expect(socket.sent).toEqual([{ type: 'backups_subscribed' }]);
    backups.publish(event({ state: 'SUCCEEDED', backupId: '20261201t120000000z-1a2b3c4d' }));
    expect(socket.sent[1]).toMatchObject({ type: 'backup.updated', jobId: JOB, state: 'SUCCEEDED', progress: { bytesRead: 1024, etaSeconds: 3 } });
  });

  it('follows one job when it is named', async () => {
    await say({ type: 'subscribe_backups', jobId: JOB });
    socket.sent = [];
    backups.publish(event({ jobId: OTHER }));
    backups.publish(event());
    expect(socket.sent.map((f) => (f as BackupUpdated).jobId)).toEqual([JOB]);
  });

  it('refuses (without closing) a caller that may not read telemetry; stops listening on close', async () => {
    mayReadBackups = false;
    await say({ type: 'subscribe_backups' });
    expect(socket.sent).toEqual([{ type: 'error', message: 'reading backup jobs needs role viewer and scope backups:read', field: 'type' }]);
    expect([socket.closed, backups.listeners.size]).toEqual([undefined, 0]);
    mayReadBackups = true;
    await say({ type: 'subscribe_backups' });
    expect(backups.listeners.size).toBe(1);
    session.close(1000, 'bye');
    expect(backups.listeners.size).toBe(0);
  });

  it('a bad job id is a protocol error naming the field', async () => {
    await say({ type: 'subscribe_backups', jobId: 'latest' });
    expect(socket.sent[0]).toMatchObject({ type: 'error', field: 'jobId' });
  });
});
