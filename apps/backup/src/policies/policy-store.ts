import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PrismaClient, type Policy, type Prisma } from '../generated/prisma/client.js';

export type PolicyFields = Omit<Policy, 'id' | 'createdAt' | 'updatedAt'>;

/** The catalogue's policies table. A name in use is Prisma's P2002, mapped to ALREADY_EXISTS by the caller. */
@Injectable()
export class PolicyStore {
  constructor(@Inject(PrismaClient) private readonly db: PrismaClient) {}

  list(): Promise<Policy[]> {
    return this.db.policy.findMany({ orderBy: { name: 'asc' } });
  }

  get(id: string): Promise<Policy | null> {
    return this.db.policy.findUnique({ where: { id } });
  }

  create(fields: PolicyFields): Promise<Policy> {
    return this.db.policy.create({ data: { id: randomUUID(), ...fields } });
  }

  async update(id: string, fields: Prisma.PolicyUpdateManyMutationInput): Promise<Policy | null> {
    const { count } = await this.db.policy.updateMany({ where: { id }, data: fields });
    return count === 0 ? null : this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.policy.deleteMany({ where: { id } })).count > 0;
  }

  /** Enabled policies an event starts. */
  triggeredBy(trigger: string): Promise<Policy[]> {
    return this.db.policy.findMany({ where: { trigger, enabled: true } });
  }
}
