import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.js';

const good = { HUB_URL: 'ws://127.0.0.1:4100/agent/v1', AGENT_ID: 'web-1', AGENT_TOKEN: 'x'.repeat(43) };

describe('loadAgentConfig', () => {
  it('accepts a minimal environment with defaults', () => {
    expect(loadAgentConfig(good)).toEqual({
      ok: true,
      config: {
        ...good,
        AGENT_SITE: '',
        AGENT_LABELS: {},
        AGENT_STATE_DIR: '/var/lib/fleetplane-agent',
        AGENT_MAX_CONCURRENT_EXECUTIONS: 4,
        AGENT_MAX_QUEUED_EXECUTIONS: 1_000,
        AGENT_OUTPUT_BACKLOG_BYTES: 16_777_216,
        AGENT_EXECUTION_RETENTION_HOURS: 24,
      },
    });
  });

  it('reads the execution limits as numbers', () => {
    const r = loadAgentConfig({ ...good, AGENT_MAX_CONCURRENT_EXECUTIONS: '2', AGENT_MAX_QUEUED_EXECUTIONS: '0', AGENT_EXECUTION_RETENTION_HOURS: '0.5' });
    expect(r.ok && [r.config.AGENT_MAX_CONCURRENT_EXECUTIONS, r.config.AGENT_MAX_QUEUED_EXECUTIONS, r.config.AGENT_EXECUTION_RETENTION_HOURS]).toEqual([
      2, 0, 0.5,
    ]);
  });

  it('parses labels as k=v,k=v', () => {
    const r = loadAgentConfig({ ...good, AGENT_LABELS: 'role=web, tier = front ,empty=' });
    expect(r.ok && r.config.AGENT_LABELS).toEqual({ role: 'web', tier: 'front', empty: '' });
  });

  it.each([
    [{ HUB_URL: 'http://hub:4100' }, 'HUB_URL'],
    [{ AGENT_ID: 'a.b' }, 'AGENT_ID'],
    [{ AGENT_TOKEN: 'short' }, 'AGENT_TOKEN'],
    [{ AGENT_LABELS: 'novalue' }, 'AGENT_LABELS'],
    [{ AGENT_MAX_CONCURRENT_EXECUTIONS: '0' }, 'AGENT_MAX_CONCURRENT_EXECUTIONS'],
    [{ AGENT_MAX_QUEUED_EXECUTIONS: 'many' }, 'AGENT_MAX_QUEUED_EXECUTIONS'],
  ])('names the bad variable: %o', (override, name) => {
    const r = loadAgentConfig({ ...good, ...override });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(new RegExp(`^  ${name}: `, 'm'));
  });

  it('names every bad variable at once', () => {
    const r = loadAgentConfig({ AGENT_ID: 'a.b', AGENT_LABELS: 'novalue' });
    expect(r.ok).toBe(false);
    if (!r.ok) for (const v of ['HUB_URL', 'AGENT_ID', 'AGENT_LABELS']) expect(r.message).toContain(`${v}:`);
  });

  it('needs AGENT_ID with AGENT_TOKEN, and neither when enrolling', () => {
    const r = loadAgentConfig({ HUB_URL: good.HUB_URL, AGENT_TOKEN: good.AGENT_TOKEN });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^ {2}AGENT_ID: is required with AGENT_TOKEN$/m);
    const enrolling = loadAgentConfig({ HUB_URL: good.HUB_URL, FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_x', AGENT_STATE_DIR: '/tmp/agent' });
    expect(enrolling.ok && enrolling.config).toMatchObject({ FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_x', AGENT_STATE_DIR: '/tmp/agent' });
  });
});
