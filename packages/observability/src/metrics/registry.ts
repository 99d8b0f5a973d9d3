import { collectDefaultMetrics, Registry } from 'prom-client';

/** One Prometheus registry per process, with Node's default metrics and the service label. */
export const metricsRegistry = new Registry();
let started = false;

export function initMetrics(service: string): Registry {
  if (!started) {
    metricsRegistry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: metricsRegistry });
    started = true;
  }
  return metricsRegistry;
}
