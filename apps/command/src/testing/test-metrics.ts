import { MetricFactory } from '@fleetplane/service-kit';
import { CommandMetrics } from '../metrics/command-metrics.js';

/** The service's metrics for unit tests (in the process registry, as in the service). */
export const testMetrics = (): CommandMetrics => new CommandMetrics(new MetricFactory('command'));
