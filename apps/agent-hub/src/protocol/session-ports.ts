import type { Hello, OutputFrame, ResultFrame, TelemetryFrame } from '@fleetplane/contracts';
import type { AgentSession } from './agent-session.js';

// The socket and log ports are every WebSocket session's; re-exported for the hub's own code and tests.
export type { SessionLog, SessionSocket } from '@fleetplane/service-kit/websocket';

export interface SessionTimings {
  helloTimeoutMs: number;
  heartbeatIntervalMs: number;
  telemetryIntervalMs: number;
}

/** Per-connection inbound limits, counted in 1-second windows as frames arrive (no timer per socket). */
export interface InboundLimits {
  framesPerSecond: number;
  bytesPerSecond: number;
}

/** Why admission control refused an upgrade (HTTP 503) or a HELLO (4429). */
export type AdmissionRefusalReason = 'not_ready' | 'max_agents' | 'pending_handshakes' | 'concurrent_hellos' | 'connects_per_second';

/** Where the refusal happened: at the HTTP upgrade (503, no WebSocket) or at the HELLO (close 4429). */
export type AdmissionStage = 'upgrade' | 'hello';

export interface AdmissionRefusal {
  reason: AdmissionRefusalReason;
  retryAfterMs: number;
}

/** What a session needs from the rest of the hub; each call is one step of the protocol. */
export interface SessionHooks {
  /** True when the token matches the agent's stored hash; unknown agents are simply false. */
  authenticate(agentId: string, token: string): Promise<boolean>;
  /**
   * Takes one of the limited HELLO slots before any database work, or says why
   * not (the session closes with 4429). A taken slot is given back with `endHello`.
   */
  beginHello(): AdmissionRefusal | undefined;
  endHello(): void;
  /** The socket's handshake ended (HELLO_ACK sent, or closed before): called once per session. */
  endHandshake(): void;
  /** Stores inventory and presence, starts routing commands, announces the session. Awaited before HELLO_ACK. */
  opened(session: AgentSession, hello: Hello): Promise<void>;
  /** Stores the result; for a session using "result-ack", a final one is then acknowledged to the agent. */
  result(session: AgentSession, frame: ResultFrame): Promise<void>;
  output(session: AgentSession, frame: OutputFrame): Promise<void>;
  telemetry(session: AgentSession, frame: TelemetryFrame): Promise<void>;
  /** Undoes `opened` (it may have only partly succeeded). Called once, only for sessions that reached `opened`. */
  closed(session: AgentSession, code: number): Promise<void>;
}

/**
 * What a presence flush learnt of a session: `superseded` when another session
 * became current, `revoked` when the credential it authenticated with changed since.
 */
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
  | 'frame_too_big'
  | 'inbound_rate';

export interface SessionMetrics {
  frameReceived(type: string): void;
  protocolError(reason: ProtocolErrorReason): void;
  admissionRefused(reason: AdmissionRefusalReason, stage: AdmissionStage): void;
}
