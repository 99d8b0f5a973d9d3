import type { z } from 'zod';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { enrollmentTokenView } from './enrollment-tokens.schemas.js';

export type EnrollmentTokenView = z.infer<typeof enrollmentTokenView>;

// proto3 has no null: empty strings mean "none".
const orNull = (s: string | undefined): string | null => (s ? s : null);

export function toEnrollmentTokenView(t: agentHubV1.EnrollmentToken): EnrollmentTokenView {
  return {
    id: t.id,
    prefix: t.prefix,
    site: orNull(t.site),
    labels: t.labels ?? {},
    uses: t.uses ?? 0,
    maxUses: t.maxUses ?? 0,
    allowReenroll: Boolean(t.allowReenroll),
    expiresAt: t.expiresAt,
    revokedAt: orNull(t.revokedAt),
    createdAt: t.createdAt,
    createdBy: t.createdBy,
    lastUsedAt: orNull(t.lastUsedAt),
    lastAgentId: orNull(t.lastAgentId),
  };
}
