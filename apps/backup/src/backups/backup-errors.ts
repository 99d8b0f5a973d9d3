import { IntegrityError, NotFoundError, RepositoryConfigError } from '@fleetplane/backup-repository';
import { grpcError, GrpcStatus } from '@fleetplane/service-kit/grpc';
import { NotCancellableError, QueueUnavailableError } from '../jobs/jobs.service.js';

/** The repository's and PostgreSQL's errors as gRPC statuses; anything else stays INTERNAL. */
export function toGrpcError(error: unknown): unknown {
  if (error instanceof IntegrityError) return grpcError(GrpcStatus.DATA_LOSS, error.message);
  if (error instanceof NotFoundError) return grpcError(GrpcStatus.NOT_FOUND, error.message);
  if (error instanceof QueueUnavailableError) return grpcError(GrpcStatus.UNAVAILABLE, error.message);
  if (error instanceof NotCancellableError) return grpcError(GrpcStatus.FAILED_PRECONDITION, error.message);
  if (error instanceof RepositoryConfigError) return grpcError(GrpcStatus.FAILED_PRECONDITION, error.message);
  const code = (error as { code?: string }).code;
  // 42P04 duplicate_database: a restore target that exists.
  if (code === '42P04') return grpcError(GrpcStatus.FAILED_PRECONDITION, (error as Error).message);
  // Connection refused / reset to a source or the restore server: an outage, retry later.
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P03') return grpcError(GrpcStatus.UNAVAILABLE, (error as Error).message);
  return error;
}
