import type { agentHubV1, commandV1 } from '@fleetplane/contracts/grpc';
import { COMMAND_STATES, type StatisticsView } from './statistics.schemas.js';

type CommandStateName = (typeof COMMAND_STATES)[number];
const stateName = (s: commandV1.CommandState | string): string => String(s).replace(/^COMMAND_STATE_/, '');

/** Every state at 0, then the peer's counts: a state it left out (or one this gateway does not know) cannot break the shape. */
function byState(counts: readonly commandV1.StateCount[] | undefined): Record<CommandStateName, number> {
  const out = Object.fromEntries(COMMAND_STATES.map((s) => [s, 0])) as Record<CommandStateName, number>;
  for (const c of counts ?? []) {
    const name = stateName(c.state);
    if (name in out) out[name as CommandStateName] += c.count ?? 0;
  }
  return out;
}

const window = (w: commandV1.CommandWindowCount | undefined) => ({ total: w?.total ?? 0, byState: byState(w?.byState) });

/**
 * The Statistics answer from agent-hub's and command's replies. The minutes are
 * command's (it zero-fills them against its own clock: one source of truth for
 * what "this minute" is); open alerts from telemetry, null when it did not answer.
 */
export function toStatisticsView(
  fleet: agentHubV1.GetFleetStatisticsResponse,
  commands: commandV1.GetCommandStatisticsResponse,
  generatedAt: Date,
  openAlerts: number | null = null,
): StatisticsView {
  return {
    generatedAt: generatedAt.toISOString(),
    agents: {
      total: fleet.agents?.total ?? 0,
      connected: fleet.agents?.connected ?? 0,
      bySite: (fleet.bySite ?? []).map((g) => ({ site: g.key ?? '', total: g.total ?? 0, connected: g.connected ?? 0 })),
      byOs: (fleet.byOs ?? []).map((g) => ({ os: g.key ?? '', total: g.total ?? 0, connected: g.connected ?? 0 })),
    },
    commands: { lastHour: window(commands.lastHour), lastDay: window(commands.lastDay) },
    executionsPerMinute: (commands.executionsPerMinute ?? []).map((m) => ({ minute: m.minute, count: m.count ?? 0 })),
    alerts: { firing: openAlerts },
  };
}
