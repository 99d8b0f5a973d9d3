import { tilesV1 } from '@fleetplane/contracts/grpc';
import type { JobRecord, JobState } from './job-record.js';

const STATE: Record<JobState, tilesV1.JobState> = {
  QUEUED: tilesV1.JobState.JOB_STATE_QUEUED,
  RUNNING: tilesV1.JobState.JOB_STATE_RUNNING,
  COMPLETED: tilesV1.JobState.JOB_STATE_COMPLETED,
  FAILED: tilesV1.JobState.JOB_STATE_FAILED,
  CANCELLED: tilesV1.JobState.JOB_STATE_CANCELLED,
  TIMED_OUT: tilesV1.JobState.JOB_STATE_TIMED_OUT,
};

export function toProtoJob(r: JobRecord): tilesV1.Job {
  return {
    id: r.id,
    state: STATE[r.state],
    programHash: r.programHash,
    requestedBy: r.requestedBy,
    timeoutMs: r.timeoutMs,
    createdAt: r.createdAt,
    startedAt: r.startedAt ?? '',
    finishedAt: r.finishedAt ?? '',
    error: r.error ?? '',
    stats: r.stats,
    sinks: r.sinks,
  };
}
