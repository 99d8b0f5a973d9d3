import type { WsSessionSocket } from '@fleetplane/service-kit/websocket';
import type { Principal } from '../auth/principal.js';
import type { AuthFrame, ExecutionUpdated } from './stream.protocol.js';

/** The session socket, plus how far the client is behind (`ws`'s bufferedAmount). */
export type StreamSocket = WsSessionSocket;

/** Who authenticated, and until when (ms since the epoch; null for API keys, which do not expire). */
export interface StreamIdentity {
  principal: Principal;
  expiresAt: number | null;
}

export type StreamCredentials = Pick<AuthFrame, 'token' | 'apiKey'>;

export interface StreamAuth {
  /** The identity for these credentials when they are valid and may stream, else null. */
  authenticate(credentials: StreamCredentials): Promise<StreamIdentity | null>;
}

export interface EventFeed {
  /** Calls `listener` for every execution.updated this instance receives; returns the unsubscribe. */
  listen(listener: (event: ExecutionUpdated) => void): () => void;
}

export interface StreamMetrics {
  opened(): void;
  closed(): void;
  pushed(): void;
  authFailed(reason: 'unauthenticated' | 'auth_timeout' | 'token_expired'): void;
}

export interface StreamOptions {
  authTimeoutMs: number;
  /** Past this many unsent bytes the client is too slow and is closed (1013). */
  maxBufferedBytes: number;
}
