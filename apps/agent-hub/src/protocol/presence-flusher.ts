import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import { AgentRepository, type SeenSession } from '../agents/agent.repository.js';
import type { HubConfig } from '../config.js';
import { HubMetrics } from '../metrics/hub-metrics.js';
import type { AgentSession } from './agent-session.js';
import { SessionRegistry } from './session-registry.js';

/**
 * Last-seen of every session, written in batches: a heartbeat only sets a
 * number on its session, and every PRESENCE_FLUSH_MS one UPDATE writes the
 * sessions that sent a frame since the previous flush. The same statement is
 * the check that used to run per heartbeat: a session that is no longer the
 * agent's current one goes (4409), one whose credential was rotated too (4401).
 * Connect and disconnect are still written at once (SessionLifecycle).
 */
@Injectable()
export class PresenceFlusher implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('PresenceFlusher');
  private readonly task: PeriodicTask<number>;

  constructor(
    @InjectConfig() config: Pick<HubConfig, 'PRESENCE_FLUSH_MS'>,
    private readonly sessions: SessionRegistry,
    private readonly agents: AgentRepository,
    private readonly metrics: HubMetrics,
  ) {
    this.task = new PeriodicTask(() => this.flushOnce(), config.PRESENCE_FLUSH_MS);
  }

  onModuleInit(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Writes what was seen since the last flush; resolves how many sessions it wrote. A flush still running is not doubled. */
  flush(): Promise<number> {
    return this.task.runNow();
  }

  private async flushOnce(): Promise<number> {
    const batch: AgentSession[] = [];
    for (const s of this.sessions.all()) if (s.isOpen && s.lastFrameAtMs > s.flushedSeenAtMs) batch.push(s);
    if (batch.length === 0) return 0;
    const seen: SeenSession[] = batch.map((s) => ({ agentId: s.agentId, sessionId: s.sessionId, at: new Date(s.lastFrameAtMs) }));
    let written: Map<string, string | null>;
    try {
      written = await this.agents.flushSeen(seen);
    } catch (err) {
      // Kept for the next flush: lastFrameAtMs only grows.
      this.metrics.presenceFlushed('failed');
      this.log.warn(`presence flush of ${batch.length} sessions failed: ${(err as Error).message}`);
      return 0;
    }
    this.metrics.presenceFlushed('ok');
    batch.forEach((s, i) => {
      s.flushedSeenAtMs = seen[i]!.at.getTime();
      if (!written.has(s.agentId)) return s.applyStanding('superseded');
      if (written.get(s.agentId) !== s.credentialHash) s.applyStanding('revoked');
    });
    return written.size;
  }
}
