import { Inject, Injectable } from '@nestjs/common';
import type { backupV1 } from '@fleetplane/contracts/grpc';
import { InjectConfig } from '@fleetplane/service-kit';
import { grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import type { BackupConfig } from '../config.js';
import { POLICY_FIELDS, policyFields, toProtoPolicy } from './policy-input.js';
import { PolicyScheduler } from './policy-scheduler.js';
import { PolicyStore } from './policy-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Policy CRUD; every change is applied to the schedulers before the call answers. */
@Injectable()
export class PoliciesService {
  constructor(
    @Inject(PolicyStore) private readonly store: PolicyStore,
    @Inject(PolicyScheduler) private readonly scheduler: PolicyScheduler,
    @InjectConfig() private readonly config: BackupConfig,
  ) {}

  async list(): Promise<backupV1.Policy[]> {
    return (await this.store.list()).map(toProtoPolicy);
  }

  async create(req: backupV1.CreatePolicyRequest): Promise<backupV1.Policy> {
    const fields = policyFields(req.policy, Object.keys(this.config.BACKUP_SOURCES));
    const policy = await this.store.create(fields).catch(nameTaken(fields.name));
    await this.scheduler.apply(policy);
    return toProtoPolicy(policy);
  }

  async update(req: backupV1.UpdatePolicyRequest): Promise<backupV1.Policy> {
    this.requireId(req.policyId);
    const unknown = req.updateMask.filter((f) => !(POLICY_FIELDS as readonly string[]).includes(f));
    if (unknown.length > 0) throw invalidArgument('updateMask', `unknown field(s) ${unknown.join(', ')}; one of ${POLICY_FIELDS.join(', ')}`);
    if (req.updateMask.length === 0) throw invalidArgument('updateMask', 'name at least one field to change');
    const current = await this.store.get(req.policyId);
    if (!current) throw notFound(`policy ${req.policyId}`);
    const fields = policyFields(req.policy, Object.keys(this.config.BACKUP_SOURCES), req.updateMask as (typeof POLICY_FIELDS)[number][], current);
    const { id: _id, createdAt: _c, updatedAt: _u, ...changes } = { ...current, ...fields };
    const policy = await this.store.update(req.policyId, changes).catch(nameTaken(fields.name));
    if (!policy) throw notFound(`policy ${req.policyId}`);
    await this.scheduler.apply(policy);
    return toProtoPolicy(policy);
  }

  async delete(req: backupV1.DeletePolicyRequest): Promise<void> {
    this.requireId(req.policyId);
    if (!(await this.store.delete(req.policyId))) throw notFound(`policy ${req.policyId}`);
    await this.scheduler.remove(req.policyId);
  }

  private requireId(id: string): void {
    if (!UUID.test(id)) throw invalidArgument('policyId', `"${id}" is not a policy id (uuid)`);
  }
}

const nameTaken = (name: string) => (err: unknown) => {
  if ((err as { code?: string }).code === 'P2002') throw grpcError(GrpcStatus.ALREADY_EXISTS, `a policy named ${name} exists`);
  throw err;
};
