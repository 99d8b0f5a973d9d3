import { z } from 'zod';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { EnrollmentTokenRow } from './enrollment-token.repository.js';

const labelsSchema = z.record(z.string(), z.string()).catch({});
const iso = (d: Date | null): string => d?.toISOString() ?? '';

/** A token row as the gRPC message: never its secret hash. */
export function toEnrollmentTokenMessage(row: EnrollmentTokenRow): agentHubV1.EnrollmentToken {
  return {
    id: row.id,
    prefix: `fpe_${row.prefix}`,
    site: row.site,
    labels: labelsSchema.parse(row.labels),
    uses: row.uses,
    maxUses: row.maxUses,
    allowReenroll: row.allowReenroll,
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    createdAt: iso(row.createdAt),
    createdBy: row.createdBy,
    lastUsedAt: iso(row.lastUsedAt),
    lastAgentId: row.lastAgentId ?? '',
  };
}
