import { z } from 'zod';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { AgentRow } from './agent.repository.js';

// labels is a JSON column; anything that is not a string map (never written by
// this service) reads as no labels rather than leaking an odd shape to callers.
const labelsSchema = z.record(z.string(), z.string()).catch({});

/**
 * An agent counts as connected while it holds a session and has been seen
 * recently: a hub instance that died without clearing presence cannot leave
 * agents looking online forever. The same rule in SQL, for the registry's
 * queries: registry/connected.sql.ts connectedSql; change both together.
 */
export const isConnected = (row: Pick<AgentRow, 'sessionId' | 'lastSeenAt'>, connectedSince: Date): boolean =>
  row.sessionId !== null && row.lastSeenAt !== null && row.lastSeenAt >= connectedSince;

export function toAgentMessage(row: AgentRow, connectedSince: Date): agentHubV1.Agent {
  // The session's own fields only while it counts as connected: a dead instance's leftovers are not shown.
  const connected = isConnected(row, connectedSince);
  return {
    id: row.id,
    site: row.site,
    os: row.os,
    kernel: row.kernel,
    version: row.version,
    capabilities: row.capabilities,
    containerEngine: row.containerEngine,
    labels: labelsSchema.parse(row.labels),
    connected,
    lastSeenAt: row.lastSeenAt?.toISOString() ?? '',
    enrolledAt: row.enrolledAt.toISOString(),
    connectedAt: connected ? (row.connectedAt?.toISOString() ?? '') : '',
    hubInstanceId: connected ? (row.hubInstanceId ?? '') : '',
    protocolVersion: connected ? (row.protocolVersion ?? 0) : 0,
  };
}
