import type { IncomingMessage } from 'node:http';

/**
 * The client ip of a WebSocket upgrade, as Express's `req.ip` finds it with `trust proxy` set to
 * `trustedHops`: the socket's peer, or the address that many hops back in X-Forwarded-For
 * (the left-most one when the header lists fewer). The upgrade never passes through Express.
 */
export function upgradeClientIp(req: IncomingMessage, trustedHops: number): string | null {
  const peer = req.socket.remoteAddress ?? null;
  if (trustedHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const nearestFirst = [peer, ...forwarded.reverse()];
  return nearestFirst[Math.min(trustedHops, nearestFirst.length - 1)] ?? peer;
}
