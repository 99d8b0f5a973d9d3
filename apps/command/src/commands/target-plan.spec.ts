import { describe, expect, it } from 'vitest';
import { planTargets } from './target-plan.js';

const agent = (id: string, capabilities = ['exec'], connected = true) => ({ id, capabilities, connected });

describe(planTargets.name, () => {
  it('releases every capable agent when there is no concurrency limit', () => {
    expect(planTargets([agent('a'), agent('b')], 'exec', null).map((t) => t.state)).toEqual(['QUEUED', 'QUEUED']);
  });

  it('holds back what exceeds the window, counting only agents that will run it', () => {
    const plan = planTargets([agent('a', ['docker.ps']), agent('b'), agent('c'), agent('d')], 'exec', 2);
    expect(plan.map((t) => t.state)).toEqual(['SKIPPED', 'QUEUED', 'QUEUED', 'PENDING']);
    expect(plan[0]?.reason).toBe("verb exec is not among the agent's capabilities");
  });

  it('says an offline agent is waited for, also one that never connected (no capabilities announced yet)', () => {
    expect(planTargets([agent('a', ['exec'], false)], 'exec', null)[0]).toEqual({ agentId: 'a', state: 'QUEUED', reason: 'agent offline' });
    expect(planTargets([agent('b', [], false)], 'exec', null)[0]).toEqual({ agentId: 'b', state: 'QUEUED', reason: 'agent offline' });
  });
});
