import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { agentFilterQuery } from './agent-filters.schemas.js';

const label = z.string().max(256);

export const enrollAgentBody = z.strictObject({
  id: agentIdSchema,
  site: z.string().max(128).optional(),
  labels: z
    .record(z.string().regex(/^[A-Za-z0-9_./-]{1,63}$/, 'label names are 1-63 characters of A-Z a-z 0-9 _ . / -'), label)
    .refine((l) => Object.keys(l).length <= 64, 'at most 64 labels')
    .optional(),
});
export type EnrollAgentBody = z.infer<typeof enrollAgentBody>;

export const listAgentsQuery = z.object({
  site: z.string().max(128).optional(),
  connected: z.enum(['true', 'false'], { message: 'must be true or false' }).optional().describe('true: connected agents only, false: disconnected only'),
  ...agentFilterQuery,
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  pageToken: z.string().max(512).optional(),
});
export type ListAgentsQuery = z.infer<typeof listAgentsQuery>;

export const agentIdParam = agentIdSchema;

// Responses. AgentView (agent-view.ts) is inferred from these, so the document cannot drift from what toAgentView returns.

export const agentView = z.object({
  id: z.string(),
  site: z.string().nullable(),
  os: z.string().nullable(),
  kernel: z.string().nullable(),
  version: z.string().nullable(),
  capabilities: z.array(z.string()),
  containerEngine: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  connected: z.boolean(),
  lastSeenAt: z.iso.datetime().nullable(),
  enrolledAt: z.iso.datetime().nullable(),
  connectedAt: z.iso.datetime().nullable().describe('when the current session began; null while disconnected'),
  hubInstanceId: z.string().nullable().describe('the agent-hub instance holding the session'),
  protocolVersion: z.number().int().nullable().describe('the agent protocol version the session speaks'),
});

export const enrolledAgent = z.object({
  agent: agentView,
  token: z.string().describe("the agent's enrollment token; shown only here"),
});

export const agentPage = z.object({
  agents: z.array(agentView),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
  total: z.number().int().nullable().describe('every agent matching the filters, with includeTotal=true; else null'),
});
export type EnrolledAgent = z.infer<typeof enrolledAgent>;
export type AgentPage = z.infer<typeof agentPage>;
