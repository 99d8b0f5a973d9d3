import { z } from 'zod';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { AgentRow } from './agent.repository.js';

// labels is a JSON column; anything that is not a string map (never written by
// this service) reads as no labels rather than leaking an odd shape to callers.
const labelsSchema = z.record(z.string(), z.string()).catch({});

/**
 * An agent counts as connected while it holds a session and has been seen
 * recently: a hub instance that died without clearing presence cannot leave
 * agents looking online forever.
 */
export const isConnected = (row: Pick<AgentRow, 'sessionId' | 'lastSeenAt'>, connectedSince: Date): boolean =>
  row.sessionId !== null && row.lastSeenAt !== null && row.lastSeenAt >= connectedSince;

export function toAgentMessage(row: AgentRow, connectedSince: Date): agentHubV1.Agent {
  return {
    id: row.id,
    site: row.site,
    os: row.os,
    kernel: row.kernel,
    version: row.version,
    capabilities: row.capabilities,
    containerEngine: row.containerEngine,
    labels: labelsSchema.parse(row.labels),
    connected: isConnected(row, connectedSince),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? '',
    enrolledAt: row.enrolledAt.toISOString(),
  };
}
