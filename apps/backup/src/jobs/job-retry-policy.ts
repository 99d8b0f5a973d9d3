import type { RetryPolicy } from '@fleetplane/service-kit/queue';

/** Connection-level failures: a database, Redis or the storage was away; the same job may work later. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', '57P01', '57P03', '53300']);

/**
 * Retried: outages (the codes above, and S3/Azure 5xx and throttling the SDKs gave up on).
 * Everything else is permanent: a bad request that passed validation (a source gone), a
 * repository that refuses (no FULL to build on, a tampered chunk), a restore target that exists.
 */
export const backupJobRetryPolicy: RetryPolicy = {
  classify(err) {
    const e = err as { code?: string; $metadata?: { httpStatusCode?: number }; statusCode?: number };
    if (e?.code && TRANSIENT_CODES.has(e.code)) return 'transient';
    const status = e?.$metadata?.httpStatusCode ?? e?.statusCode;
    if (status !== undefined && (status >= 500 || status === 429)) return 'transient';
    return 'permanent';
  },
};
