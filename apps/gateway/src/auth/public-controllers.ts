import { Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ObservabilityModule } from '@fleetplane/observability';

/**
 * Controllers from outside the gateway that are public as a whole although
 * they carry no `@Public()`: packages/observability's HealthController
 * (/health, /ready, /metrics — probes and Prometheus have no credentials).
 * It should carry the shared marker itself (the `fleetplane:public` metadata
 * key); until it does, it is recognised here by the module that declares it,
 * since the package does not export the class. Every other controller from
 * outside is denied unless it is marked.
 */
@Injectable()
export class PublicControllers implements OnModuleInit {
  private readonly classes = new Set<Type>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      if (wrapper.host?.metatype === ObservabilityModule && wrapper.metatype) this.classes.add(wrapper.metatype as Type);
    }
  }

  has(controller: Type): boolean {
    return this.classes.has(controller);
  }
}
