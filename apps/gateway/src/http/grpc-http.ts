import { HttpStatus } from '@nestjs/common';
import { GrpcStatus } from '@fleetplane/service-kit/grpc';
import { fieldError, type FieldErrorBody } from './field-error.js';

export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
}

const statusOf: Partial<Record<GrpcStatus, HttpStatus>> = {
  [GrpcStatus.INVALID_ARGUMENT]: HttpStatus.BAD_REQUEST,
  [GrpcStatus.UNAUTHENTICATED]: HttpStatus.UNAUTHORIZED,
  [GrpcStatus.PERMISSION_DENIED]: HttpStatus.FORBIDDEN,
  [GrpcStatus.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [GrpcStatus.ALREADY_EXISTS]: HttpStatus.CONFLICT,
  [GrpcStatus.RESOURCE_EXHAUSTED]: HttpStatus.TOO_MANY_REQUESTS,
  [GrpcStatus.UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [GrpcStatus.DEADLINE_EXCEEDED]: HttpStatus.GATEWAY_TIMEOUT,
};

const reason: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The status text of `status` (`error` in an error body). */
export const reasonPhrase = (status: number): string => reason[status] ?? (status >= 500 ? 'Error' : 'Client Error');

// The peers' messages for these codes are written for callers ("agent x not found",
// "params.argv: ..."); anything else may carry internals and is replaced.
const PASS_MESSAGE = new Set<GrpcStatus>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

/** "params.argv: must not be empty" → field params.argv, as service-kit's invalidArgument() writes it. */
function splitField(details: string): FieldErrorBody | undefined {
  const m = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*): (.+)$/s.exec(details);
  return m ? fieldError(m[1]!, m[2]!) : undefined;
}

/**
 * The HTTP answer for a failed gRPC call to `service` (e.g. "command"):
 * UNAVAILABLE (the peer is down or says a dependency of its own is) is a 503
 * the caller may retry, DEADLINE_EXCEEDED a 504, anything unexpected a 502.
 * Only the codes a caller can act on keep the peer's message.
 */
export function grpcToHttp(code: GrpcStatus, details: string, service: string): HttpErrorBody {
  const status = statusOf[code] ?? HttpStatus.BAD_GATEWAY;
  if (code === GrpcStatus.INVALID_ARGUMENT) {
    return splitField(details) ?? { statusCode: 400, error: reason[400]!, message: details || 'invalid argument' };
  }
  let message: string;
  if (PASS_MESSAGE.has(code) && details) message = details;
  else if (code === GrpcStatus.UNAVAILABLE) message = `${service} service is unavailable`;
  else if (code === GrpcStatus.DEADLINE_EXCEEDED) message = `${service} service did not answer in time`;
  else if (code === GrpcStatus.UNAUTHENTICATED) message = `${service} service refused the gateway's credentials`;
  else message = `${service} service failed`;
  return { statusCode: status, error: reasonPhrase(status), message };
}
