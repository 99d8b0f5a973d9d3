import type { z } from 'zod';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { agentView } from './agents.schemas.js';

/** What the gateway answers for an agent: the schema `agentView` in agents.schemas.ts, inferred. */
export type AgentView = z.infer<typeof agentView>;

// proto3 has no null: empty strings mean "not known yet".
const orNull = (s: string | undefined): string | null => (s ? s : null);

export function toAgentView(a: agentHubV1.Agent): AgentView {
  return {
    id: a.id,
    site: orNull(a.site),
    os: orNull(a.os),
    kernel: orNull(a.kernel),
    version: orNull(a.version),
    capabilities: a.capabilities ?? [],
    containerEngine: orNull(a.containerEngine),
    labels: a.labels ?? {},
    connected: Boolean(a.connected),
    lastSeenAt: orNull(a.lastSeenAt),
    enrolledAt: orNull(a.enrolledAt),
    // Presence of the current session; empty or 0 while disconnected.
    connectedAt: a.connected ? orNull(a.connectedAt) : null,
    hubInstanceId: a.connected ? orNull(a.hubInstanceId) : null,
    protocolVersion: a.connected && a.protocolVersion ? a.protocolVersion : null,
  };
}
