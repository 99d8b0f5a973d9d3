import type { WsSessionSocket } from '@fleetplane/service-kit/websocket';
import type { Principal } from '../auth/principal.js';
import type { AlertEvent, AuthFrame, BackupUpdated, ExecutionOutput, ExecutionUpdated } from './stream.protocol.js';

/** The session socket, plus how far the client is behind (`ws`'s bufferedAmount). */
export type StreamSocket = WsSessionSocket;

/** Who authenticated, and until when (ms since the epoch: the access token's or the API key's expiry; null for a key that never expires). */
export interface StreamIdentity {
  principal: Principal;
  expiresAt: number | null;
}

export type StreamCredentials = Pick<AuthFrame, 'token' | 'apiKey'>;

export interface StreamAuth {
  /** The identity for these credentials when they are valid and may stream, else null. */
  authenticate(credentials: StreamCredentials): Promise<StreamIdentity | null>;
  /**
   * Calls `recheck` whenever a revocation may concern `principal` (on any gateway
   * instance: its key, its user, its session); returns the unsubscribe.
   */
  watch(principal: Principal, recheck: () => void): () => void;
  /** Whether `principal` may read commands and their output (role viewer, scope commands:read). */
  mayReadCommands(principal: Principal): boolean;
  /** Whether `principal` may read alerts (role viewer, scope telemetry:read); absent: nobody. */
  mayReadTelemetry?(principal: Principal): boolean;
  /** Whether `principal` may follow backup jobs (role viewer, scope backups:read); absent: nobody. */
  mayReadBackups?(principal: Principal): boolean;
}

/** Backup job events this instance receives (fleet.events.backup.updated). */
export interface BackupFeed {
  listen(listener: (event: BackupUpdated) => void): () => void;
}

/** Alert transitions this instance receives (fleet.events.alert.*). */
export interface AlertFeed {
  listen(listener: (event: AlertEvent) => void): () => void;
}

export interface EventFeed {
  /** Calls `listener` for every execution.updated this instance receives; returns the unsubscribe. */
  listen(listener: (event: ExecutionUpdated) => void): () => void;
}

/** Output chunks of running executions, received only while someone follows them. */
export interface OutputFeed {
  /**
   * Calls `listener` for every chunk of the execution this instance receives from now on;
   * `ready` resolves once the NATS server has the subscription (no chunk published after it is
   * missed), `stop` unsubscribes.
   */
  follow(executionId: string, listener: (chunk: ExecutionOutput) => void): { ready: Promise<void>; stop: () => void };
}

/** What a session can push: execution events and output always; alerts and backups where this gateway relays them. */
export interface StreamFeeds {
  events: EventFeed;
  outputs: OutputFeed;
  alerts?: AlertFeed;
  backups?: BackupFeed;
}

export interface StreamMetrics {
  opened(): void;
  closed(): void;
  pushed(): void;
  outputPushed(): void;
  authFailed(reason: 'unauthenticated' | 'auth_timeout' | 'token_expired' | 'credentials_revoked'): void;
}

export interface StreamOptions {
  authTimeoutMs: number;
  /** Past this many unsent bytes the client is too slow and is closed (1013). */
  maxBufferedBytes: number;
  /**
   * How often an open session checks its credentials again: the safety net for a
   * revocation event this instance missed (they normally close it within a second).
   */
  recheckIntervalMs: number;
}
