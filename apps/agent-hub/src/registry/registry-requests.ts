import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { parseRequest } from '../agents/agent-requests.js';
import type { AgentFilter } from './agent-filter.js';

// Keyed by proto field names, so INVALID_ARGUMENT names the field as callers
// know it. proto3 has no "absent": an empty string or list means "any".
const text = z.string().max(128);
const labels = z.record(z.string().min(1).max(63), z.string().max(255)).refine((l) => Object.keys(l).length <= 16, { message: 'at most 16 labels' });
const capabilities = z.array(z.string().min(1).max(64)).max(16, 'at most 16 capabilities');
const instant = z.union([z.literal(''), z.iso.datetime({ offset: true })], { message: 'must be an RFC 3339 timestamp' });

const presence = { connected_only: z.boolean(), disconnected_only: z.boolean() };
const onePresence = (r: { connected_only: boolean; disconnected_only: boolean }) => !(r.connected_only && r.disconnected_only);
const presenceClash = { message: 'cannot be combined with connected_only', path: ['disconnected_only'] };

export const listFilterSchema = z
  .object({ site: text, labels, capabilities, os: text, version: text, ...presence, last_seen_before: instant, last_seen_after: instant })
  .refine(onePresence, presenceClash);
type ListFilterFields = z.infer<typeof listFilterSchema>;

/** At most this many ids in a selector: the fleet size the registry is built for. */
export const MAX_SELECTOR_IDS = 100_000;

export const selectorSchema = z
  .object({
    agent_ids: z.array(agentIdSchema).max(MAX_SELECTOR_IDS, `at most ${MAX_SELECTOR_IDS} ids`),
    site: text,
    labels,
    capabilities,
    os: text,
    ...presence,
    all: z.boolean(),
  })
  .refine(onePresence, presenceClash)
  // Selecting the whole fleet must be said (all), never the result of a forgotten field.
  .refine(
    (s) =>
      s.all ||
      s.agent_ids.length > 0 ||
      s.site ||
      s.os ||
      Object.keys(s.labels).length > 0 ||
      s.capabilities.length > 0 ||
      s.connected_only ||
      s.disconnected_only,
    {
      message: 'names no agents: give at least one field, or all',
    },
  );
type SelectorFields = z.infer<typeof selectorSchema>;

/** Agents per SelectAgents message: the default and the most. */
export const SELECT_PAGE_SIZE = 1_000;
export const selectPageSchema = z.number().int().min(0, 'must not be negative');

/** The proto fields as an AgentFilter: empty strings and lists dropped. */
function toFilter(r: Partial<ListFilterFields & SelectorFields>): AgentFilter {
  return {
    ...(r.agent_ids?.length ? { agentIds: r.agent_ids } : {}),
    ...(r.site ? { site: r.site } : {}),
    ...(r.labels && Object.keys(r.labels).length ? { labels: r.labels } : {}),
    ...(r.capabilities?.length ? { capabilities: r.capabilities } : {}),
    ...(r.os ? { os: r.os } : {}),
    ...(r.version ? { version: r.version } : {}),
    ...(r.connected_only ? { connected: true } : r.disconnected_only ? { connected: false } : {}),
    ...(r.last_seen_before ? { seenBefore: new Date(r.last_seen_before) } : {}),
    ...(r.last_seen_after ? { seenAfter: new Date(r.last_seen_after) } : {}),
  };
}

/** ListAgents' and CountAgents' filter fields, or INVALID_ARGUMENT naming the field. */
export function parseListFilter(req: Partial<agentHubV1.ListAgentsRequest>): AgentFilter {
  return toFilter(
    parseRequest(listFilterSchema, {
      site: req.site ?? '',
      labels: req.labels ?? {},
      capabilities: req.capabilities ?? [],
      os: req.os ?? '',
      version: req.version ?? '',
      connected_only: req.connectedOnly ?? false,
      disconnected_only: req.disconnectedOnly ?? false,
      last_seen_before: req.lastSeenBefore ?? '',
      last_seen_after: req.lastSeenAfter ?? '',
    }),
  );
}

/** SelectAgents' selector (fields prefixed `selector.`) and page size, or INVALID_ARGUMENT naming the field. */
export function parseSelectRequest(req: Partial<agentHubV1.SelectAgentsRequest>): { filter: AgentFilter; pageSize: number } {
  const s = req.selector;
  const fields = parseRequest(z.object({ selector: selectorSchema, page_size: selectPageSchema }), {
    selector: {
      agent_ids: s?.agentIds ?? [],
      site: s?.site ?? '',
      labels: s?.labels ?? {},
      capabilities: s?.capabilities ?? [],
      os: s?.os ?? '',
      connected_only: s?.connectedOnly ?? false,
      disconnected_only: s?.disconnectedOnly ?? false,
      all: s?.all ?? false,
    },
    page_size: req.pageSize ?? 0,
  });
  const size = fields.page_size === 0 ? SELECT_PAGE_SIZE : Math.min(fields.page_size, SELECT_PAGE_SIZE);
  return { filter: toFilter(fields.selector), pageSize: size };
}
