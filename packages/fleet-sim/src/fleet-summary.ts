/** What the simulator saw, for people (--json prints it) and for tests that compare it with the system's view. */
export interface FleetSummary {
  agents: number;
  /** Agents holding an acknowledged session right now. */
  connected: number;
  /** Agents that got a HELLO_ACK at least once. */
  everConnected: number;
  /** Sockets opened (first connects and reconnects). */
  connectAttempts: number;
  /** Sockets opened after an agent's first one. */
  reconnects: number;
  helloAcks: number;
  /** Closes before HELLO_ACK, by close code (the hub refusing: 4401, 4429; or failing), or by HTTP status for an upgrade the hub refused (503). */
  refusedByCode: Record<string, number>;
  /** Closes of acknowledged sessions, by close code. */
  droppedByCode: Record<string, number>;
  /** Agents that stopped retrying, by why (a refused credential or protocol version: retrying cannot fix those). */
  gaveUp: Record<string, number>;
  heartbeatsSent: number;
  telemetrySent: number;
  commandsReceived: number;
  /** Final RESULTs sent: COMPLETED plus FAILED. */
  commandsAnswered: number;
  commandsFailed: number;
  /** Commands in flight that a CANCEL stopped (answered CANCELLED). */
  commandsCancelled: number;
  /** RESULT_ACKs for a final RESULT still kept. */
  resultAcks: number;
  /** Unacknowledged final RESULTs sent again after a HELLO_ACK. */
  resultsResent: number;
  /** ERROR frames from the hub, by code. */
  hubErrors: Record<string, number>;
  /** Socket errors (connection refused, reset...), by message. */
  socketErrors: Record<string, number>;
  invalidFrames: number;
  /** Milliseconds from start() until every agent first held a session (null: not all did). */
  allConnectedAfterMs: number | null;
}

export const emptySummary = (agents: number): FleetSummary => ({
  agents,
  connected: 0,
  everConnected: 0,
  connectAttempts: 0,
  reconnects: 0,
  helloAcks: 0,
  refusedByCode: {},
  droppedByCode: {},
  gaveUp: {},
  heartbeatsSent: 0,
  telemetrySent: 0,
  commandsReceived: 0,
  commandsAnswered: 0,
  commandsFailed: 0,
  commandsCancelled: 0,
  resultAcks: 0,
  resultsResent: 0,
  hubErrors: {},
  socketErrors: {},
  invalidFrames: 0,
  allConnectedAfterMs: null,
});

export const bump = (counts: Record<string, number>, key: string | number): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};
