import { describe, expect, it } from 'vitest';
import { argsToEnv } from './cli-args.js';

describe('argsToEnv', () => {
  it('maps flags, spaced or with =, onto their variables', () => {
    expect(argsToEnv(['--enrollment-token', 'fpe_a_b', '--agent-id=web-1', '--state-dir', '/var/x'])).toEqual({
      ok: true,
      env: { FLEETPLANE_ENROLLMENT_TOKEN: 'fpe_a_b', AGENT_ID: 'web-1', AGENT_STATE_DIR: '/var/x' },
    });
    expect(argsToEnv([])).toEqual({ ok: true, env: {} });
  });

  it('refuses unknown flags and flags without a value', () => {
    expect(argsToEnv(['--token', 'x'])).toMatchObject({ ok: false, message: expect.stringContaining('unknown argument --token') as unknown });
    expect(argsToEnv(['--enrollment-token'])).toEqual({ ok: false, message: '--enrollment-token needs a value' });
    expect(argsToEnv(['--agent-id='])).toEqual({ ok: false, message: '--agent-id needs a value' });
  });
});
