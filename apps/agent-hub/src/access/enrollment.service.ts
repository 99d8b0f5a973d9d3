import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Clock } from '@fleetplane/service-kit';
import { hashAgentToken, newAgentToken } from '../agents/credentials.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { enrollDecision, tokenStanding, type TokenStanding } from './enrollment-rules.js';
import { parseEnrollmentToken, secretMatches } from './enrollment-token-format.js';

/** Why an enrollment was refused: the token's standing, or the agent id's. */
export type EnrollRefusal = 'invalid' | Exclude<TokenStanding, 'usable'> | 'exists' | 'agent_revoked';

export type EnrollResult =
  { ok: true; agentId: string; credential: string; site: string; labels: Record<string, string>; reenrolled: boolean } | { ok: false; reason: EnrollRefusal };

class Refused extends Error {
  constructor(readonly reason: EnrollRefusal) {
    super(reason);
  }
}

// labels is a JSON column written only by this service; anything else reads as none.
const labelsSchema = z.record(z.string(), z.string()).catch({});

/** Ids the hub gives agents that enrol without one: 20 hex characters, a valid subject token. */
export const generatedAgentId = (): string => `agt-${randomBytes(10).toString('hex')}`;

const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'P2002';

/**
 * An agent trades an enrollment token for a credential of its own. One
 * transaction claims a use of the token (an UPDATE that only matches while
 * uses < maxUses, so concurrent enrollments can never exceed it: Postgres
 * re-checks the condition on the row the first one updated), applies the
 * re-enrollment rule and writes the agent; a refusal rolls the claimed use back.
 */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly db: PrismaClient,
    private readonly clock: Clock,
  ) {}

  async enroll(enrollmentToken: string, requestedAgentId: string | undefined): Promise<EnrollResult> {
    const parsed = parseEnrollmentToken(enrollmentToken);
    if (!parsed) return { ok: false, reason: 'invalid' };
    const token = await this.db.enrollmentToken.findUnique({ where: { prefix: parsed.prefix } });
    if (!token || !secretMatches(parsed.secret, token.secretHash)) return { ok: false, reason: 'invalid' };
    const now = this.clock.now();
    const standing = tokenStanding(token, now);
    if (standing !== 'usable') return { ok: false, reason: standing };

    const agentId = requestedAgentId ?? generatedAgentId();
    const credential = newAgentToken();
    const labels = labelsSchema.parse(token.labels);
    try {
      const reenrolled = await this.db.$transaction(async (tx) => {
        const claimed = await tx.enrollmentToken.updateMany({
          where: { id: token.id, revokedAt: null, expiresAt: { gt: now }, uses: { lt: tx.enrollmentToken.fields.maxUses } },
          data: { uses: { increment: 1 }, lastUsedAt: now, lastAgentId: agentId },
        });
        if (claimed.count === 0) {
          const again = await tx.enrollmentToken.findUnique({ where: { id: token.id } });
          const why = again ? tokenStanding(again, now) : 'revoked';
          throw new Refused(why === 'usable' ? 'exhausted' : why);
        }
        const existing = await tx.agent.findUnique({ where: { id: agentId }, select: { revokedAt: true } });
        const decision = enrollDecision(existing, token.allowReenroll);
        if (decision === 'exists') throw new Refused('exists');
        if (decision === 'revoked') throw new Refused('agent_revoked');
        const tokenHash = hashAgentToken(credential);
        if (decision === 'create') {
          await tx.agent.create({ data: { id: agentId, tokenHash, site: token.site, labels } });
          return false;
        }
        // Re-enrolling keeps what the agent has when the token names no site or labels.
        await tx.agent.update({
          where: { id: agentId },
          data: { tokenHash, ...(token.site ? { site: token.site } : {}), ...(Object.keys(labels).length ? { labels } : {}) },
        });
        return true;
      });
      return { ok: true, agentId, credential, site: token.site, labels, reenrolled };
    } catch (err) {
      if (err instanceof Refused) return { ok: false, reason: err.reason };
      // Two enrollments of the same new id at once: the second insert loses.
      if (isUniqueViolation(err)) return { ok: false, reason: 'exists' };
      throw err;
    }
  }
}
