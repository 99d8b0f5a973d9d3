import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { AgentCredential } from './credentials.js';

// agent-hub's POST /v1/enroll answer (apps/agent-hub/src/access/enroll.controller.ts).
const enrolledSchema = z.object({ agentId: z.string(), credential: z.string(), site: z.string() });

/** The hub's enroll endpoint: beside its WebSocket endpoint, on the same host and port. */
export function hubEnrollUrl(hubUrl: string): string {
  const url = new URL('/v1/enroll', hubUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.toString();
}

/**
 * Each agent trades one enrollment token (with uses for them all) for a credential of its own at the
 * hub's POST /v1/enroll, as a real agent started with AGENT_ENROLLMENT_TOKEN does. A few at a time; a
 * 503 (enrollments in flight at the hub's cap) is waited out by its Retry-After, any other refusal is
 * final and named.
 */
export async function enrollWithEnrollmentToken(hubUrl: string, enrollmentToken: string, agentIds: string[], parallel = 8): Promise<AgentCredential[]> {
  const url = hubEnrollUrl(hubUrl);
  const out = new Array<AgentCredential>(agentIds.length);
  let next = 0;
  const worker = async () => {
    while (next < agentIds.length) {
      const i = next++;
      out[i] = await enrollOne(url, enrollmentToken, agentIds[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, agentIds.length) }, worker));
  return out;
}

async function enrollOne(url: string, enrollmentToken: string, agentId: string): Promise<AgentCredential> {
  for (let tries = 0; ; tries++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enrollmentToken, agentId }) });
    if (res.status === 503 && tries < 30) {
      await sleep(Math.max(1, Number(res.headers.get('retry-after') ?? '1')) * 1_000);
      continue;
    }
    if (res.status !== 201) throw new Error(`enrolling ${agentId} at ${url}: HTTP ${res.status} ${await res.text()}`);
    const r = enrolledSchema.parse(await res.json());
    return { id: r.agentId, token: r.credential, site: r.site };
  }
}
