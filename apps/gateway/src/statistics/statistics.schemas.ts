import { z } from 'zod';
import { EXECUTION_STATES } from '../commands/commands.schemas.js';

// GET /statistics. StatisticsView (statistics-view.ts) is inferred from these, so the document
// cannot drift from what toStatisticsView returns.

/** The states a command can be in (the API's state names, UNSPECIFIED left out). */
export const COMMAND_STATES = EXECUTION_STATES;

const count = z.number().int().min(0);

const siteCount = z.object({ site: z.string().describe('empty for agents enrolled without a site'), total: count, connected: count });
const osCount = z.object({ os: z.string().describe('as the agent reports it; empty until it has connected once'), total: count, connected: count });

const commandWindow = z.object({
  total: count,
  byState: z.record(z.enum(COMMAND_STATES), count).describe('every state, zeros included; a command has the state GET /commands/{id} shows'),
});

export const statisticsView = z.object({
  generatedAt: z.iso.datetime().describe('when the gateway put this answer together'),
  agents: z.object({
    total: count,
    connected: count.describe('holding a session seen within 3 heartbeat intervals, as Agent.connected'),
    bySite: z.array(siteCount).describe('largest first, then by name'),
    byOs: z.array(osCount).describe('largest first, then by name'),
  }),
  commands: z.object({
    lastHour: commandWindow.describe('commands created in the last 60 minutes'),
    lastDay: commandWindow.describe('commands created in the last 24 hours'),
  }),
  executionsPerMinute: z
    .array(z.object({ minute: z.iso.datetime().describe('the start of the minute'), count }))
    .describe(
      'executions that reached a final state (completed, failed, cancelled, timed out) in each of the last 60 minutes, oldest first, zero-filled; the last is the current minute',
    ),
  alerts: z.object({
    firing: z
      .number()
      .int()
      .min(0)
      .nullable()
      .describe('open alerts (FIRING or ACKNOWLEDGED, any severity) in telemetry; null while telemetry does not answer'),
  }),
});
export type StatisticsView = z.infer<typeof statisticsView>;
