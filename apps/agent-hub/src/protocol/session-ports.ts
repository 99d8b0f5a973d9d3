import type { Hello, ResultFrame, TelemetryFrame } from '@fleetplane/contracts';
import type { AgentSession } from './agent-session.js';

// The socket and log ports are every WebSocket session's; re-exported for the hub's own code and tests.
export type { SessionLog, SessionSocket } from '@fleetplane/service-kit/websocket';

export interface SessionTimings {
  helloTimeoutMs: number;
  heartbeatIntervalMs: number;
  telemetryIntervalMs: number;
}

/** What a session needs from the rest of the hub; each call is one step of the protocol. */
export interface SessionHooks {
  /** True when the token matches the agent's stored hash; unknown agents are simply false. */
  authenticate(agentId: string, token: string): Promise<boolean>;
  /** Stores inventory and presence, starts routing commands, announces the session. Awaited before HELLO_ACK. */
  opened(session: AgentSession, hello: Hello): Promise<void>;
  /**
   * Refreshes presence and says whether this session may go on: `superseded`
   * when another session became current, `revoked` when the credential it
   * authenticated with was rotated since.
   */
  heartbeat(session: AgentSession): Promise<SessionStanding>;
  result(session: AgentSession, frame: ResultFrame): Promise<void>;
  telemetry(session: AgentSession, frame: TelemetryFrame): Promise<void>;
  /** Undoes `opened` (it may have only partly succeeded). Called once, only for sessions that reached `opened`. */
  closed(session: AgentSession, code: number): Promise<void>;
}

export type SessionStanding = 'current' | 'superseded' | 'revoked';

/** Bounded label values for the protocol-errors metric. */
export type ProtocolErrorReason =
  | 'not_json'
  | 'unknown_type'
  | 'invalid_frame'
  | 'unsupported_version'
  | 'hello_required'
  | 'duplicate_hello'
  | 'hello_timeout'
  | 'unauthorized'
  | 'credential_revoked'
  | 'heartbeat_timeout'
  | 'frame_too_big';

export interface SessionMetrics {
  frameReceived(type: string): void;
  protocolError(reason: ProtocolErrorReason): void;
}
