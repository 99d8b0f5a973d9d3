import { Prisma } from '../generated/prisma/client.js';

/**
 * "Connected" in SQL, the one definition every registry query uses; the same
 * rule as Agent.connected (agents/agent-view.ts isConnected): the agent holds
 * a session and was seen at or after `since` (PresenceWindow.connectedSince).
 * Whoever changes how presence is stored changes this fragment and isConnected
 * together. Always true or false, never NULL, so `NOT (…)` means disconnected.
 */
export const connectedSql = (since: Date): Prisma.Sql => Prisma.sql`(session_id IS NOT NULL AND last_seen_at IS NOT NULL AND last_seen_at >= ${since})`;
