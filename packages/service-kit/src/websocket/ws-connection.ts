import type { SessionSocket } from './session-ports.js';

/**
 * The part of a `ws` WebSocket the session host uses. Structural, so
 * service-kit needs no `ws` dependency and a test can pass an EventEmitter.
 */
export interface WsConnection {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[]) => void): unknown;
  on(event: 'close', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (err: Error & { code?: string }) => void): unknown;
}

/** A session socket that also tells how far the client is behind. */
export interface WsSessionSocket extends SessionSocket {
  /** Bytes queued for the client and not yet written to the network. */
  bufferedBytes(): number;
}

// WebSocket.OPEN, the same in `ws` and the WHATWG API.
const OPEN = 1;

/** `ws` behind the session socket port. */
export function sessionSocketOf(ws: WsConnection): WsSessionSocket {
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    isOpen: () => ws.readyState === OPEN,
    bufferedBytes: () => ws.bufferedAmount,
  };
}
