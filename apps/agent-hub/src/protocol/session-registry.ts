import { Injectable } from '@nestjs/common';
import { HubMetrics } from '../metrics/hub-metrics.js';
import type { AgentSession } from './agent-session.js';

/**
 * The authenticated sessions this instance holds, one per agent. Only used to
 * reach sockets held here; which session is current is decided in the
 * database and by `agent.connected` events, so instances share nothing.
 */
@Injectable()
export class SessionRegistry {
  private readonly byAgent = new Map<string, AgentSession>();

  constructor(private readonly metrics: HubMetrics) {}

  /** Makes `session` the agent's session here; an older one on this instance is replaced. */
  add(session: AgentSession): void {
    const previous = this.byAgent.get(session.agentId);
    this.byAgent.set(session.agentId, session);
    if (previous && previous !== session) previous.replace();
    this.metrics.setConnected(this.byAgent.size);
  }

  remove(session: AgentSession): void {
    if (this.byAgent.get(session.agentId) === session) this.byAgent.delete(session.agentId);
    this.metrics.setConnected(this.byAgent.size);
  }

  /** Another session (on any instance) became the agent's current one: close ours if it is older. */
  supersede(agentId: string, currentSessionId: string): void {
    const local = this.byAgent.get(agentId);
    if (local && local.sessionId !== currentSessionId) local.replace();
  }

  /**
   * Closes the agent's session if this instance holds it (revocation, removal):
   * true when it did. Its cleanup clears presence as for any close.
   */
  closeAgent(agentId: string, code: number, reason: string): boolean {
    const local = this.byAgent.get(agentId);
    if (!local) return false;
    local.close(code, reason);
    return true;
  }

  get(agentId: string): AgentSession | undefined {
    return this.byAgent.get(agentId);
  }

  /** Every session held here, for the shared sweeps (idle timeout, presence flush). */
  all(): IterableIterator<AgentSession> {
    return this.byAgent.values();
  }

  get size(): number {
    return this.byAgent.size;
  }
}
