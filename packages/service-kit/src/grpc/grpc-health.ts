import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ReadinessRegistry } from '@fleetplane/observability';

type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** How often the readiness checks are re-run for gRPC health; Watch streams see a change within this. */
export const HEALTH_REFRESH_MS = 2_000;

/**
 * `grpc.health.v1.Health` (Check and Watch) answering from the same
 * readiness checks as /ready, for the overall server ("") and each of its
 * services by full name. grpc-health-check keeps a status map; this refreshes
 * it on a timer and on demand (when shutdown starts), and only notifies
 * watchers when a status actually changes.
 */
export class GrpcHealth {
  private readonly impl: HealthImplementation;
  private current?: ServingStatus;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly services: string[],
  ) {
    this.impl = new HealthImplementation(Object.fromEntries(['', ...services].map((s) => [s, 'NOT_SERVING'])));
  }

  addToServer(server: Server): void {
    this.impl.addToServer(server);
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), HEALTH_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const { ready } = await this.readiness.evaluate();
    const next: ServingStatus = ready ? 'SERVING' : 'NOT_SERVING';
    if (next === this.current) return;
    this.current = next;
    for (const service of ['', ...this.services]) this.impl.setStatus(service, next);
  }
}
