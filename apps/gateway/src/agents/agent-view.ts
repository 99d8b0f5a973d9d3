import type { agentHubV1 } from '@fleetplane/contracts/grpc';

export interface AgentView {
  id: string;
  site: string | null;
  os: string | null;
  kernel: string | null;
  version: string | null;
  capabilities: string[];
  containerEngine: string | null;
  labels: Record<string, string>;
  connected: boolean;
  lastSeenAt: string | null;
  enrolledAt: string | null;
}

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
  };
}
