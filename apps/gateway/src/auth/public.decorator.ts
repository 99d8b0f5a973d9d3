import { SetMetadata } from '@nestjs/common';

/**
 * The metadata key of a route anyone may call without credentials. A plain
 * string rather than a symbol, so that a controller outside the gateway can
 * carry the same marker without importing it from here (packages/observability's
 * HealthController should, see AccessGuard).
 */
export const PUBLIC_ROUTE = 'fleetplane:public';

/** Opts a route (or a whole controller) out of authentication. Every other route needs `@RequireRole(...)`. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
