/** Telemetry (or agent-hub, for sites) is away: the job waits and is retried with BullMQ's backoff. */
export class TelemetryUnavailableError extends Error {
  override name = 'TelemetryUnavailableError';
}

/** The source cannot be read as asked (refused query, over a job limit): the job FAILS with this message. */
export class TelemetrySourceError extends Error {
  override name = 'TelemetrySourceError';
}
