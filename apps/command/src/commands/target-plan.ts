import type { TargetAgent } from '../agents/agent-directory.js';
import type { NewTarget } from '../executions/command.repository.js';

/**
 * Decides each matched agent's first state: SKIPPED when the agent announced
 * its capabilities and the verb is not among them (it would refuse it), else
 * released (QUEUED) up to the concurrency window, the rest held back (PENDING).
 * An agent that never connected has announced nothing yet: it is waited for,
 * not skipped.
 */
export function planTargets(agents: readonly TargetAgent[], verb: string, maxConcurrency: number | null): NewTarget[] {
  let released = 0;
  return agents.map((a) => {
    if (a.capabilities.length > 0 && !a.capabilities.includes(verb))
      return { agentId: a.id, state: 'SKIPPED', reason: `verb ${verb} is not among the agent's capabilities` };
    if (maxConcurrency === null || released < maxConcurrency) {
      released += 1;
      return { agentId: a.id, state: 'QUEUED', reason: a.connected ? '' : 'agent offline' };
    }
    return { agentId: a.id, state: 'PENDING', reason: '' };
  });
}
