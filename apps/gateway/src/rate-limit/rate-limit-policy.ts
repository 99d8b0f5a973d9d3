import type { RouteClass } from './route-class.js';

/**
 * What a request gets while Redis cannot be asked (down, or too slow to answer):
 * - `auth` fails closed (503): login, refresh and logout are what an attacker floods, and the
 *   login limiter needs Redis anyway; an operator already signed in is not affected.
 * - `read` fails open: reading the fleet during an outage is harmless and often the point.
 * - `write` fails open too: every write is authenticated, authorised and audited, and an outage of
 *   the limiter must not keep an operator from acting on the fleet (stopping a rollout).
 * - `stream` connects fail open: a socket still has to authenticate with its first frame within
 *   STREAM_AUTH_TIMEOUT_MS, and refusing them would break every operator's live view at once.
 */
export const FAILS_OPEN: Readonly<Record<RouteClass, boolean>> = { auth: false, read: true, write: true, stream: true };
