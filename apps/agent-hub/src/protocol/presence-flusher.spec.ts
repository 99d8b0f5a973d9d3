import { describe, expect, it } from 'vitest';
import type { AgentRepository, SeenSession } from '../agents/agent.repository.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { SessionStanding } from './session-ports.js';
import type { SessionRegistry } from './session-registry.js';
import { PresenceFlusher } from './presence-flusher.js';

class FakeSession {
  standing?: SessionStanding;
  isOpen = true;
  flushedSeenAtMs = 1_000;
  constructor(
    readonly agentId: string,
    public lastFrameAtMs: number,
    readonly credentialHash = 'h',
    readonly sessionId = `s-${agentId}`,
  ) {}
  applyStanding(s: SessionStanding): void {
    this.standing = s;
  }
}

/** The agents table as the flush sees it: which session is current, and each credential. */
class FakeAgents {
  readonly statements: SeenSession[][] = [];
  fail = false;
  constructor(readonly rows: Map<string, { sessionId: string; tokenHash: string | null }>) {}
  flushSeen(seen: SeenSession[]): Promise<Map<string, string | null>> {
    if (this.fail) return Promise.reject(new Error('db down'));
    this.statements.push(seen);
    const written = new Map<string, string | null>();
    for (const s of seen) {
      const row = this.rows.get(s.agentId);
      if (row?.sessionId === s.sessionId) written.set(s.agentId, row.tokenHash);
    }
    return Promise.resolve(written);
  }
}

function setup(sessions: FakeSession[], agents: FakeAgents) {
  const outcomes: string[] = [];
  const metrics = { presenceFlushed: (o: string) => void outcomes.push(o) } as unknown as HubMetrics;
  const registry = { all: () => sessions.values() } as unknown as SessionRegistry;
  const flusher = new PresenceFlusher({ PRESENCE_FLUSH_MS: 5_000 }, registry, agents as unknown as AgentRepository, metrics);
  return { flusher, outcomes };
}

const current = (...ids: string[]) => new Map(ids.map((id) => [id, { sessionId: `s-${id}`, tokenHash: 'h' }]));

describe(PresenceFlusher.name, () => {
  it('writes every session seen since the last flush in ONE statement, and only those', async () => {
    const seen = [new FakeSession('a', 2_000), new FakeSession('b', 3_000)];
    const quiet = new FakeSession('c', 1_000);
    const agents = new FakeAgents(current('a', 'b', 'c'));
    const { flusher, outcomes } = setup([...seen, quiet], agents);
    expect(await flusher.flush()).toBe(2);
    expect(agents.statements).toHaveLength(1);
    expect(agents.statements[0]).toEqual([
      { agentId: 'a', sessionId: 's-a', at: new Date(2_000) },
      { agentId: 'b', sessionId: 's-b', at: new Date(3_000) },
    ]);
    expect(outcomes).toEqual(['ok']);
    // Nothing new: no statement at all.
    expect(await flusher.flush()).toBe(0);
    expect(agents.statements).toHaveLength(1);
    for (const s of [...seen, quiet]) expect(s.standing).toBeUndefined();
  });

  it('closes a session that is no longer current (4409) and one whose credential changed (4401)', async () => {
    const replaced = new FakeSession('a', 2_000);
    const rotated = new FakeSession('b', 2_000, 'old-hash');
    const fine = new FakeSession('c', 2_000);
    const rows = current('b', 'c');
    rows.set('a', { sessionId: 'a-newer-session', tokenHash: 'h' });
    const { flusher } = setup([replaced, rotated, fine], new FakeAgents(rows));
    await flusher.flush();
    expect(replaced.standing).toBe('superseded');
    expect(rotated.standing).toBe('revoked');
    expect(fine.standing).toBeUndefined();
  });

  it('keeps what a failed flush could not write for the next one', async () => {
    const s = new FakeSession('a', 2_000);
    const agents = new FakeAgents(current('a'));
    agents.fail = true;
    const { flusher, outcomes } = setup([s], agents);
    expect(await flusher.flush()).toBe(0);
    agents.fail = false;
    expect(await flusher.flush()).toBe(1);
    expect(outcomes).toEqual(['failed', 'ok']);
    expect(s.flushedSeenAtMs).toBe(2_000);
  });
});
