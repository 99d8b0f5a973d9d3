import type { IncomingMessage } from 'node:http';

/** The label and span name of a request that matched no route (a 404 from the framework). */
export const UNMATCHED_ROUTE = 'unmatched';

/** What Express leaves on a request once its router matched a route. */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * The route template the request matched, e.g. `/api/v1/commands/:id`, or undefined
 * when no route matched. Read from Express's `req.route` (set as soon as a route's
 * path matched, so also for requests its guards refused or its handler threw on);
 * Nest registers each route with its full path (global prefix, controller prefix
 * and method path). Never the raw URL: ids in it would explode label cardinality.
 */
export function routeTemplate(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as RoutedRequest;
  const path = route?.path;
  if (typeof path !== 'string') return undefined;
  // Nest answers 404s under a global prefix with a catch-all route (`*path`) in a router
  // mounted at the prefix (ExpressAdapter.setNotFoundHandler); its own routes sit on the
  // root router with their full path. That catch-all is "no route", not a template.
  if (baseUrl && CATCH_ALL.test(path)) return undefined;
  return `${baseUrl ?? ''}${path}` || '/';
}

const CATCH_ALL = /^\/?(\*\w*|\{\/?\*\w*\})$/;
