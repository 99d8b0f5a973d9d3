import { Counter, Gauge, Histogram, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric } from 'prom-client';
import { metricsRegistry } from '@fleetplane/observability';

type Named<T> = Omit<T, 'name' | 'registers'>;

/** `fleetplane_<service>_`: one namespace for every custom metric; dashes are not valid in metric names. */
export const metricPrefix = (service: string) => `fleetplane_${service.replace(/-/g, '_')}_`;

/**
 * Creates a service's metrics under its namespace, in the process registry.
 * Each service has one injectable `XMetrics` class that declares its metrics
 * through this factory in its constructor; domain code injects that class and
 * never declares a metric at module scope. Creating a metric that already
 * exists returns it, so a second instance of a metrics class (several Nest
 * apps in one test process) shares the series instead of throwing.
 */
export class MetricFactory {
  constructor(readonly service: string) {}

  counter<L extends string = never>(opts: { name: string } & Named<CounterConfiguration<L>>): Counter<L> {
    return this.getOrCreate(opts.name, (name) => new Counter<L>({ ...opts, name, registers: [metricsRegistry] }));
  }

  gauge<L extends string = never>(opts: { name: string } & Named<GaugeConfiguration<L>>): Gauge<L> {
    return this.getOrCreate(opts.name, (name) => new Gauge<L>({ ...opts, name, registers: [metricsRegistry] }));
  }

  histogram<L extends string = never>(opts: { name: string } & Named<HistogramConfiguration<L>>): Histogram<L> {
    return this.getOrCreate(opts.name, (name) => new Histogram<L>({ ...opts, name, registers: [metricsRegistry] }));
  }

  private getOrCreate<M extends Metric>(suffix: string, create: (name: string) => M): M {
    const name = `${metricPrefix(this.service)}${suffix}`;
    return (metricsRegistry.getSingleMetric(name) as M | undefined) ?? create(name);
  }
}
