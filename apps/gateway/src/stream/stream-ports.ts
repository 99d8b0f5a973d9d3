import type { WsSessionSocket } from '@fleetplane/service-kit/websocket';
import type { Principal } from '../auth/principal.js';
import type { AuthFrame, ExecutionUpdated } from './stream.protocol.js';

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
}

export interface EventFeed {
  /** Calls `listener` for every execution.updated this instance receives; returns the unsubscribe. */
  listen(listener: (event: ExecutionUpdated) => void): () => void;
}

export interface StreamMetrics {
  opened(): void;
  closed(): void;
  pushed(): void;
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
