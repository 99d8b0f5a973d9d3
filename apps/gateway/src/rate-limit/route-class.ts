/**
 * What a request is, for its limit: signing in (`auth`: login, refresh, logout), reading
 * (`read`: GET and HEAD), changing (`write`: POST, PATCH, PUT, DELETE), or opening the
 * live-update WebSocket (`stream`).
 */
export type RouteClass = 'auth' | 'read' | 'write' | 'stream';
export const ROUTE_CLASSES: readonly RouteClass[] = ['auth', 'read', 'write', 'stream'];

const AUTH_PATHS = new Set(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout']);

/** The class of an HTTP request to `path` (as Express matches it: any case, a trailing slash allowed). */
export function routeClassOf(method: string, path: string): Exclude<RouteClass, 'stream'> {
  if (AUTH_PATHS.has(path.toLowerCase().replace(/\/+$/, ''))) return 'auth';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
