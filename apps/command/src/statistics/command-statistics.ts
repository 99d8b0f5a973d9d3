import { ALL_STATES } from '../executions/command-state.js';
import { commandV1 } from '@fleetplane/contracts/grpc';
import type { StateCounts } from './command-counts.repository.js';
import { zeroFilledMinutes, type StatisticsWindows } from './statistics-windows.js';

/** Every state a command can be in, in the proto enum's order. */
const STATES = ALL_STATES;

function window(rows: readonly StateCounts[], pick: (r: StateCounts) => number): commandV1.CommandWindowCount {
  const byState = STATES.map((state) => ({
    state: commandV1.CommandState[`COMMAND_STATE_${state}`],
    count: rows.filter((r) => r.state === state).reduce((sum, r) => sum + pick(r), 0),
  }));
  return { total: byState.reduce((sum, s) => sum + s.count, 0), byState };
}

/** The RPC's answer from the two queries: every state present (zeros too), the minutes zero-filled, oldest first. */
export function toCommandStatistics(
  w: StatisticsWindows,
  byState: readonly StateCounts[],
  finished: ReadonlyArray<{ minute: Date; count: number }>,
): commandV1.GetCommandStatisticsResponse {
  return {
    lastHour: window(byState, (r) => r.lastHour),
    lastDay: window(byState, (r) => r.lastDay),
    executionsPerMinute: zeroFilledMinutes(w.firstMinute, finished).map((b) => ({ minute: b.minute.toISOString(), count: b.count })),
    generatedAt: w.now.toISOString(),
  };
}
