import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { metricsRegistry } from '../metrics/registry.js';
import { Public } from './public-route.js';
import { ReadinessRegistry } from './readiness.js';

/** Public: probes without credentials (the gateway's guard honours the marker). */
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** Liveness: the process is up and its event loop answers. */
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 503 naming every failing dependency. */
  @Get('ready')
  async ready(): Promise<{ status: 'ready'; checks: Record<string, string> }> {
    const { ready, checks } = await this.readiness.evaluate();
    if (!ready) {
      const failing = Object.entries(checks)
        .filter(([, v]) => v !== 'ok')
        .map(([k, v]) => `${k}: ${v}`);
      throw new ServiceUnavailableException({ status: 'not ready', failing, checks });
    }
    return { status: 'ready', checks };
  }
}

/**
 * The Prometheus scrape on the service's HTTP port, for services without a
 * metrics port of their own (ObservabilityModule registers it only then).
 * Public, as the probes: whoever reaches that port may scrape.
 */
@Public()
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
