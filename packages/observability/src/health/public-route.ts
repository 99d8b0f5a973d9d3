import { SetMetadata } from '@nestjs/common';

/**
 * The metadata key of a route anyone may call without credentials. Services
 * that authenticate by default (the gateway's global guard) honour it;
 * /health, /ready and /metrics carry it because probes and Prometheus have none.
 */
export const PUBLIC_ROUTE = 'fleetplane:public';

/** Opts a route (or a whole controller) out of authentication. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
