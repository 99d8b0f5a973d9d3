import type { Duplex } from 'node:stream';
// The dependency-free subpath: the starting listener (startup/) loads this before anything heavy.
import { tryAgainLaterReason, upgradeRefusalHeaders } from '@fleetplane/contracts/admission';
import type { AdmissionRefusal } from './session-ports.js';

// The peer may be gone already; nothing is left to do for it.
const ignore = (): void => undefined;

/**
 * The raw HTTP answer to an upgrade that admission control refused: 503 with
 * the hint (`Retry-After` in seconds, `retry-after-ms` exact) and the reason as
 * the body, then the connection is closed. No WebSocket, no frame parser, no
 * session exists for it: a refusal costs a write.
 */
export function upgradeRefusalResponse(refusal: AdmissionRefusal): string {
  const body = `${tryAgainLaterReason(refusal.retryAfterMs, refusal.reason.replaceAll('_', ' '))}\n`;
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...upgradeRefusalHeaders(refusal.retryAfterMs),
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 503 Service Unavailable\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Writes the refusal and closes the socket once it is flushed (as `ws` aborts a handshake). */
export function refuseUpgrade(socket: Duplex, refusal: AdmissionRefusal): void {
  socket.on('error', ignore);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(upgradeRefusalResponse(refusal));
}
