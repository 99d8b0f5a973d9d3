import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';

/** Jobs per state on the dispatch queue, read when Prometheus scrapes. */
export type QueueDepthReader = () => Promise<Record<string, number>>;

/**
 * What an SRE watches on this service, all under `fleetplane_command_`:
 * intake by verb, outcomes, how long commands wait before an agent has them,
 * and the dispatch backlog.
 */
@Injectable()
export class CommandMetrics {
  private readonly log = new Logger(CommandMetrics.name);
  private readonly commandsSubmitted: Counter<'verb'>;
  private readonly executionsFinished: Counter<'state'>;
  private readonly dispatchLatency: Histogram;
  private readonly dispatchAttempts: Counter<'outcome'>;
  private readonly updatesIgnored: Counter<'reason'>;
  private readonly targetsMatched: Histogram;
  private readonly cancels: Counter<'scope'>;
  private readonly outputBytes: Counter<'stream'>;
  private readonly outputChunks: Counter<'outcome'>;
  private readonly wakes: Counter;
  private readonly queueRecoveries: Counter;
  private readonly submitDuration: Histogram<'outcome'>;
  private readonly endToEnd: Histogram<'state'>;
  private readDispatchQueue?: QueueDepthReader;

  constructor(@Inject(MetricFactory) metrics: MetricFactory) {
    this.commandsSubmitted = metrics.counter({
      name: 'commands_submitted_total',
      help: 'Commands accepted and queued, by verb',
      labelNames: ['verb'] as const,
    });
    this.executionsFinished = metrics.counter({
      name: 'executions_finished_total',
      help: 'Executions that reached a final state, by state',
      labelNames: ['state'] as const,
    });
    this.dispatchLatency = metrics.histogram({
      name: 'dispatch_latency_seconds',
      help: 'From submit to the hub accepting the execution for its agent',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
    this.dispatchAttempts = metrics.counter({
      name: 'dispatch_attempts_total',
      help: 'Dispatch attempts by outcome (accepted, retry, gave_up)',
      labelNames: ['outcome'] as const,
    });
    this.updatesIgnored = metrics.counter({
      name: 'execution_updates_ignored_total',
      help: 'Execution updates from JetStream that changed nothing, by reason',
      labelNames: ['reason'] as const,
    });
    this.targetsMatched = metrics.histogram({
      name: 'command_targets',
      help: 'Agents in a submitted command after its selector was resolved',
      buckets: [1, 10, 100, 1_000, 10_000, 100_000],
    });
    this.cancels = metrics.counter({ name: 'cancels_total', help: 'Cancel requests, by scope (command, execution)', labelNames: ['scope'] as const });
    this.outputBytes = metrics.counter({ name: 'output_bytes_total', help: 'Streamed output bytes stored, by stream', labelNames: ['stream'] as const });
    this.outputChunks = metrics.counter({
      name: 'output_chunks_total',
      help: 'Streamed output chunks, by outcome (stored, duplicate, over_cap, unknown_execution)',
      labelNames: ['outcome'] as const,
    });
    this.submitDuration = metrics.histogram({
      name: 'submit_duration_seconds',
      help: 'SubmitCommand as served: validation, target resolution, storing and queueing (outcome ok or error)',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.endToEnd = metrics.histogram({
      name: 'execution_end_to_end_seconds',
      help: "From the command's submit to its execution's result stored, for results the agents report, by final state",
      labelNames: ['state'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    });
    this.wakes = metrics.counter({ name: 'agent_wakes_total', help: 'Executions re-dispatched because their offline agent connected' });
    this.queueRecoveries = metrics.counter({
      name: 'queue_recovered_total',
      help: 'Released executions whose jobs never reached the queue (their instance died between storing and queueing), queued by the recovery sweep',
    });
    const backlog = () => this.readBacklog();
    metrics.gauge({
      name: 'dispatch_queue_jobs',
      help: 'Jobs in the dispatch queue, by state (waiting, prioritized, delayed, active)',
      labelNames: ['state'] as const,
      // Read from BullMQ at scrape time rather than on a timer.
      async collect() {
        for (const [state, n] of Object.entries((await backlog()) ?? {})) this.set({ state }, n);
      },
    });
  }

  submitted(verb: string): void {
    this.commandsSubmitted.inc({ verb });
  }

  finished(state: 'COMPLETED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED' | 'SKIPPED' | 'EXPIRED', n = 1): void {
    if (n > 0) this.executionsFinished.inc({ state }, n);
  }

  /** Seconds a SubmitCommand took. */
  submitTook(seconds: number, outcome: 'ok' | 'error'): void {
    this.submitDuration.observe({ outcome }, seconds);
  }

  /** An agent's result was stored this long after its command was submitted. */
  finishedAfter(state: string, seconds: number): void {
    this.endToEnd.observe({ state }, seconds);
  }

  matched(targets: number): void {
    this.targetsMatched.observe(targets);
  }

  cancelled(scope: 'command' | 'execution'): void {
    this.cancels.inc({ scope });
  }

  output(stream: 'stdout' | 'stderr', outcome: string, bytes: number): void {
    this.outputChunks.inc({ outcome });
    if (outcome === 'stored') this.outputBytes.inc({ stream }, bytes);
  }

  woken(n: number): void {
    this.wakes.inc(n);
  }

  queueRecovered(n: number): void {
    if (n > 0) this.queueRecoveries.inc(n);
  }

  dispatchAttempt(outcome: 'accepted' | 'retry' | 'gave_up' | 'offline'): void {
    this.dispatchAttempts.inc({ outcome });
  }

  /** The hub accepted an execution this long after its command was submitted. */
  dispatchedAfter(seconds: number): void {
    this.dispatchLatency.observe(seconds);
  }

  updateIgnored(reason: string): void {
    this.updatesIgnored.inc({ reason });
  }

  /** Where `dispatch_queue_jobs` reads the backlog from (the command queue, once it exists). */
  readDispatchQueueFrom(read: QueueDepthReader): void {
    this.readDispatchQueue = read;
  }

  /** A Redis outage keeps the last values (and /metrics working) and is logged. */
  private async readBacklog(): Promise<Record<string, number> | undefined> {
    try {
      return await this.readDispatchQueue?.();
    } catch (err) {
      this.log.warn(`queue depth unavailable: ${(err as Error).message}`);
      return undefined;
    }
  }
}
