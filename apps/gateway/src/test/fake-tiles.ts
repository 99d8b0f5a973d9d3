import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { serveGrpc, tilesV1 } from '@fleetplane/contracts/grpc';
import type { FakeServer } from './fake-peers.js';

// A real TileService gRPC server with canned answers, for the gateway tests that only need
// tile-worker to answer (audit coverage). tiles/tiles.int.spec.ts runs the real tile-worker.

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

const job = (id: string, state: tilesV1.JobState, requestedBy = 'tester'): tilesV1.Job => ({
  id,
  state,
  programHash: 'f'.repeat(64),
  requestedBy,
  timeoutMs: 300_000,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '',
  finishedAt: state === tilesV1.JobState.JOB_STATE_QUEUED ? '' : '2026-01-01T00:00:01.000Z',
  error: '',
  sinks: ['out'],
  stats: { rowsIn: 0, rowsOut: 0, partitions: 0, workers: 0, cache: 'none', compileMs: 0, runMs: 0, partitionRetries: 0, estimatedPeakBytes: 0 },
});

/** SubmitJob: a QUEUED job. CancelJob: that job CANCELLED. Explain, GetJob and GetStats: fixed answers. */
export async function startFakeTiles(): Promise<FakeServer> {
  const submitJob: Handler<tilesV1.SubmitJobRequest, tilesV1.SubmitJobResponse> = (call, cb) =>
    cb(null, { job: job(randomUUID(), tilesV1.JobState.JOB_STATE_QUEUED, call.request.requestedBy) });
  const cancelJob: Handler<tilesV1.CancelJobRequest, tilesV1.CancelJobResponse> = (call, cb) =>
    cb(null, { job: job(call.request.jobId, tilesV1.JobState.JOB_STATE_CANCELLED, call.request.requestedBy) });
  const getJob: Handler<tilesV1.GetJobRequest, tilesV1.GetJobResponse> = (call, cb) =>
    cb(null, { job: job(call.request.jobId, tilesV1.JobState.JOB_STATE_QUEUED), results: [], nextResultCursor: '' });
  const explain: Handler<tilesV1.ExplainRequest, tilesV1.ExplainResponse> = (_call, cb) =>
    cb(null, { plan: 'TILE PLAN', tiles: 2, stages: 2, estimatedPeakBytes: 0, estimatedMs: 0, programHash: 'f'.repeat(64) });
  const listJobs: Handler<tilesV1.ListJobsRequest, tilesV1.ListJobsResponse> = (_call, cb) => cb(null, { jobs: [], nextPageToken: '' });
  const getStats: Handler<tilesV1.GetStatsRequest, tilesV1.GetStatsResponse> = (_call, cb) =>
    cb(null, { pool: undefined, memoryCache: undefined, redisCache: undefined, hitRatio: 0, compiledPrograms: 0, compileHits: 0, compileMisses: 0, queue: {} });
  return serveGrpc('tiles', { submitJob, cancelJob, getJob, explain, listJobs, getStats });
}
