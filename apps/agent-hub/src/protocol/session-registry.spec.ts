import { describe, expect, it, vi } from 'vitest';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { AgentSession } from './agent-session.js';
import { SessionRegistry } from './session-registry.js';

/** A session stand-in and its `replace` mock, kept apart so the test asserts on the mock itself. */
const fakeSession = (agentId: string, sessionId: string) => {
  const replace = vi.fn();
  return { session: { agentId, sessionId, replace } as unknown as AgentSession, replace };
};

describe(SessionRegistry.name, () => {
  const metrics = { setConnected: vi.fn() } as unknown as HubMetrics;

  it('replaces an older local session of the same agent', () => {
    const reg = new SessionRegistry(metrics);
    const old = fakeSession('a', 's1');
    const next = fakeSession('a', 's2');
    reg.add(old.session);
    reg.add(next.session);
    expect(old.replace).toHaveBeenCalledOnce();
    expect(next.replace).not.toHaveBeenCalled();
    expect(reg.size).toBe(1);
  });

  it('closes its session when another instance announces a newer one, and not for its own announcement', () => {
    const reg = new SessionRegistry(metrics);
    const mine = fakeSession('a', 's1');
    reg.add(mine.session);
    reg.supersede('a', 's1');
    expect(mine.replace).not.toHaveBeenCalled();
    reg.supersede('a', 's9');
    expect(mine.replace).toHaveBeenCalledOnce();
  });

  it('removing an already replaced session does not drop the newer one', () => {
    const reg = new SessionRegistry(metrics);
    const old = fakeSession('a', 's1');
    const next = fakeSession('a', 's2');
    reg.add(old.session);
    reg.add(next.session);
    reg.remove(old.session);
    expect(reg.size).toBe(1);
    reg.supersede('a', 's3');
    expect(next.replace).toHaveBeenCalledOnce();
  });
});
