import * as grpc from '@grpc/grpc-js';
import { backupV1, unary, type GrpcClient } from '@fleetplane/contracts/grpc';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The integration tests' view of the backup service's gRPC API: a unary call, the status code a
 * failing call ends with (`CODE: details`), and polling GetJob until a job gets somewhere. The
 * client is read at each call: the tests create it in beforeAll, and again after a restart.
 */
export function backupCalls(client: () => GrpcClient) {
  const call = <T>(method: string, request: unknown) => unary<T>(client(), method, request, 30_000);
  const codeOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'OK',
      (e: grpc.ServiceError) => `${grpc.status[e.code]}: ${e.details}`,
    );
  /** Polls GetJob until the job leaves QUEUED/RUNNING (or `until` holds); bounded at a minute. */
  async function waitForJob(id: string, until: (j: backupV1.BackupJob) => boolean = (j) => !/QUEUED|RUNNING/.test(j.state)): Promise<backupV1.BackupJob> {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(50)) {
      const { job } = await call<backupV1.GetJobResponse>('getJob', { jobId: id });
      if (until(job!)) return job!;
    }
    throw new Error(`job ${id} never got there`);
  }
  return { call, codeOf, waitForJob };
}
