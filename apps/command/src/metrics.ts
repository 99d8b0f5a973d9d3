import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@fleetplane/observability';

// What an SRE watches on this service: intake by verb, outcomes, how long
// commands wait before an agent has them, and the backlog (queue/queue-depth.collector.ts).

export const commandsSubmitted = new Counter({
  name: 'command_commands_submitted_total',
  help: 'Commands accepted and queued, by verb',
  labelNames: ['verb'] as const,
  registers: [metricsRegistry],
});

export const executionsFinished = new Counter({
  name: 'command_executions_finished_total',
  help: 'Executions that reached a final state, by state',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

export const dispatchLatency = new Histogram({
  name: 'command_dispatch_latency_seconds',
  help: 'From submit to the hub accepting the execution for its agent',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

export const dispatchAttempts = new Counter({
  name: 'command_dispatch_attempts_total',
  help: 'Dispatch attempts by outcome (accepted, retry, gave_up)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const ignoredUpdates = new Counter({
  name: 'command_execution_updates_ignored_total',
  help: 'Execution updates from JetStream that changed nothing, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});
