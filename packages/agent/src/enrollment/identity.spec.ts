import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config.js';
import { credentialPath, readCredentialFile, writeCredentialFile } from './credential-file.js';
import type { EnrollOptions } from './enroll-client.js';
import { resolveIdentity } from './identity.js';

describe('resolveIdentity', () => {
  let dir: string;
  let asked: EnrollOptions[];
  const enroll = (opts: EnrollOptions) => {
    asked.push(opts);
    return Promise.resolve({ agentId: opts.agentId ?? 'agt-generated', credential: 'k'.repeat(43), site: 'lon', labels: { rack: 'r1' } });
  };
  const config = (over: Partial<AgentConfig> = {}): AgentConfig => ({
    HUB_URL: 'ws://hub:4100/agent/v1',
    AGENT_STATE_DIR: dir,
    AGENT_MAX_CONCURRENT_EXECUTIONS: 4,
    AGENT_MAX_QUEUED_EXECUTIONS: 1_000,
    AGENT_OUTPUT_BACKLOG_BYTES: 16_777_216,
    AGENT_EXECUTION_RETENTION_HOURS: 24,
    AGENT_SITE: '',
    AGENT_LABELS: {},
    ...over,
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-identity-'));
    asked = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('enrols once with the token, stores the credential (0600), and uses the file from then on', async () => {
    const first = await resolveIdentity(config({ FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_t' }), { enroll, now: () => new Date('2026-01-01T00:00:00Z') });
    expect(first).toEqual({ agentId: 'agt-generated', token: 'k'.repeat(43), site: 'lon', labels: { rack: 'r1' }, source: 'enrolled' });
    expect(asked).toEqual([{ hubUrl: 'ws://hub:4100/agent/v1', enrollmentToken: 'fpe_t' }]);
    expect((await stat(credentialPath(dir))).mode & 0o777).toBe(0o600);
    expect(await readCredentialFile(dir)).toMatchObject({ agentId: 'agt-generated', enrolledAt: '2026-01-01T00:00:00.000Z' });
    // A restart, still with the token in its environment: the stored credential, no enrolment.
    const second = await resolveIdentity(config({ FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_t' }), { enroll });
    expect(second).toMatchObject({ agentId: 'agt-generated', token: 'k'.repeat(43), source: 'credential-file' });
    expect(asked).toHaveLength(1);
  });

  it('asks for the configured id', async () => {
    await resolveIdentity(config({ FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_t', AGENT_ID: 'web-7' }), { enroll });
    expect(asked[0]?.agentId).toBe('web-7');
  });

  it('prefers AGENT_TOKEN, enrolling nothing', async () => {
    const id = await resolveIdentity(config({ AGENT_ID: 'web-1', AGENT_TOKEN: 't'.repeat(20), FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_t' }), { enroll });
    expect(id).toMatchObject({ agentId: 'web-1', token: 't'.repeat(20), source: 'environment' });
    expect(asked).toEqual([]);
  });

  it('refuses a stored credential of another agent than AGENT_ID', async () => {
    await writeCredentialFile(dir, { agentId: 'web-1', credential: 'k'.repeat(43), site: '', labels: {}, enrolledAt: '2026-01-01T00:00:00Z' });
    await expect(resolveIdentity(config({ AGENT_ID: 'web-2' }), { enroll })).rejects.toThrow('holds the credential of web-1');
  });

  it('says what to set when there is no credential and no enrollment token', async () => {
    await expect(resolveIdentity(config(), { enroll })).rejects.toThrow(/no credential: set FLEETPLANE_ENROLLMENT_TOKEN/);
  });
});
