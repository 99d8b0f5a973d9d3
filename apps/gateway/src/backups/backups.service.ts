import { BadGatewayException, ConflictException, Injectable } from '@nestjs/common';
import type { backupV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import { actorId, type Caller } from '../auth/principal.js';
import { toBackupJobView, toBackupPolicyView, toBackupView, toProtoType, toRestoredSourceView } from './backup-view.js';
import type {
  BackupJobView,
  BackupPolicyView,
  BackupView,
  CreateBackupBody,
  CreatePolicyBody,
  PruneBackupsBody,
  RestoreAnswer,
  RestoreBackupBody,
  UpdatePolicyBody,
  VerifyBackupBody,
} from './backups.schemas.js';

export const BACKUP = 'backup';

type Details = Record<string, string | number | boolean | string[] | null>;

/** The proto field a refusal names → the REST field (a path parameter is `id`). */
const REST_FIELDS: Array<[RegExp, string]> = [
  [/^policy\./, ''],
  [/^targets\[(\d+)\]\.(\w+): /, 'targets.$1.$2: '],
  [/^(backupId|policyId|jobId): /, 'id: '],
  [/^updateMask: /, 'body: '],
];

/**
 * The backup service's refusals in REST terms: fields renamed, and FAILED_PRECONDITION (a restore
 * into a database that exists, an INCREMENTAL without a FULL) a 409 the caller can act on rather
 * than a gateway fault.
 */
function inRestTerms<T>(call: () => Promise<T>): Promise<T> {
  return call().catch((err: unknown) => {
    if (!(err instanceof UpstreamError)) throw err;
    if (err.code === GrpcStatus.FAILED_PRECONDITION) throw new ConflictException(err.details);
    const rule = REST_FIELDS.find(([re]) => re.test(err.details));
    if (rule) throw new UpstreamError(err.upstream, err.method, err.code, err.details.replace(rule[0], rule[1]));
    throw err;
  });
}

const retention = (r: Partial<Record<keyof backupV1.RetentionPolicy, number>> = {}): backupV1.RetentionPolicy => ({
  keepLast: r.keepLast ?? 0,
  keepHourly: r.keepHourly ?? 0,
  keepDaily: r.keepDaily ?? 0,
  keepWeekly: r.keepWeekly ?? 0,
  keepMonthly: r.keepMonthly ?? 0,
  keepYearly: r.keepYearly ?? 0,
});

/** /backups, /backup-jobs and /backup-policies, answered by the backup service over gRPC; every mutation is audited. */
@Injectable()
export class BackupsService {
  constructor(
    @InjectGrpcClient(BACKUP) private readonly backup: GrpcClient<backupV1.BackupServiceClient>,
    private readonly audit: AuditService,
  ) {}

  create(caller: Caller, body: CreateBackupBody): Promise<BackupJobView> {
    return this.audited(caller, 'backup.create', { type: body.type, sources: body.sources }, async () =>
      this.job((await this.backup.call('createBackup', { type: toProtoType(body.type), sources: body.sources, requestedBy: actorId(caller.principal) })).job),
    );
  }

  async list(): Promise<{ backups: BackupView[] }> {
    const res = await inRestTerms(() => this.backup.call('listBackups', {}));
    return { backups: res.backups.map(toBackupView) };
  }

  async get(id: string): Promise<BackupView> {
    const res = await inRestTerms(() => this.backup.call('getBackup', { backupId: id }));
    if (!res.backup) throw new BadGatewayException('the backup service returned no backup');
    return toBackupView(res.backup);
  }

  async getJob(id: string): Promise<BackupJobView> {
    return this.job((await inRestTerms(() => this.backup.call('getJob', { jobId: id }))).job);
  }

  cancelJob(caller: Caller, id: string): Promise<BackupJobView> {
    return this.audited(
      caller,
      'backup_job.cancel',
      {},
      async () => this.job((await this.backup.call('cancelJob', { jobId: id, requestedBy: actorId(caller.principal) })).job),
      id,
    );
  }

  verify(caller: Caller, id: string, body: VerifyBackupBody): Promise<BackupJobView> {
    return this.audited(
      caller,
      'backup.verify',
      { readData: body.readData, samplePercent: body.samplePercent },
      async () =>
        this.job(
          (
            await this.backup.call('verifyBackup', {
              backupId: id,
              readData: body.readData,
              samplePercent: body.samplePercent,
              requestedBy: actorId(caller.principal),
            })
          ).job,
        ),
      id,
    );
  }

  restore(caller: Caller, id: string, body: RestoreBackupBody): Promise<RestoreAnswer> {
    const details = { dryRun: body.dryRun, targets: body.targets.map((t) => `${t.source}→${t.database}`) };
    return this.audited(
      caller,
      'backup.restore',
      details,
      async () => {
        const res = await this.backup.call('restoreBackup', {
          backupId: id,
          targets: body.targets,
          dryRun: body.dryRun,
          requestedBy: actorId(caller.principal),
        });
        return { dryRun: res.dryRun, job: res.job ? toBackupJobView(res.job) : null, plan: res.plan.map(toRestoredSourceView) };
      },
      id,
    );
  }

  prune(caller: Caller, body: PruneBackupsBody): Promise<BackupJobView> {
    return this.audited(caller, 'backup.prune', { ...body }, async () =>
      this.job((await this.backup.call('prune', { retention: retention(body), requestedBy: actorId(caller.principal) })).job),
    );
  }

  async listPolicies(): Promise<{ policies: BackupPolicyView[] }> {
    const res = await inRestTerms(() => this.backup.call('listPolicies', {}));
    return { policies: res.policies.map(toBackupPolicyView) };
  }

  createPolicy(caller: Caller, body: CreatePolicyBody): Promise<BackupPolicyView> {
    return this.audited(caller, 'backup_policy.create', { name: body.name, cron: body.cron, trigger: body.trigger, type: body.type }, async () =>
      this.policy(
        (
          await this.backup.call('createPolicy', {
            policy: { ...body, id: '', type: toProtoType(body.type), retention: retention(body.retention), createdAt: '', updatedAt: '' },
            requestedBy: actorId(caller.principal),
          })
        ).policy,
      ),
    );
  }

  updatePolicy(caller: Caller, id: string, body: UpdatePolicyBody): Promise<BackupPolicyView> {
    const updateMask = Object.keys(body);
    return this.audited(
      caller,
      'backup_policy.update',
      { fields: updateMask },
      async () =>
        this.policy(
          (
            await this.backup.call('updatePolicy', {
              policyId: id,
              policy: {
                id,
                name: body.name ?? '',
                cron: body.cron ?? '',
                trigger: body.trigger ?? '',
                type: body.type ? toProtoType(body.type) : ('BACKUP_TYPE_UNSPECIFIED' as backupV1.BackupType),
                sources: body.sources ?? [],
                retention: retention(body.retention),
                enabled: body.enabled ?? false,
                createdAt: '',
                updatedAt: '',
              },
              updateMask,
              requestedBy: actorId(caller.principal),
            })
          ).policy,
        ),
      id,
    );
  }

  async deletePolicy(caller: Caller, id: string): Promise<void> {
    await this.audited(
      caller,
      'backup_policy.delete',
      {},
      () => this.backup.call('deletePolicy', { policyId: id, requestedBy: actorId(caller.principal) }),
      id,
    );
  }

  private job(job: backupV1.BackupJob | undefined): BackupJobView {
    if (!job) throw new BadGatewayException('the backup service returned no job');
    return toBackupJobView(job);
  }

  private policy(policy: backupV1.Policy | undefined): BackupPolicyView {
    if (!policy) throw new BadGatewayException('the backup service returned no policy');
    return toBackupPolicyView(policy);
  }

  /** One audited call: a success row names the target (or the job / policy returned), a failure row the status. */
  private async audited<T>(caller: Caller, action: string, details: Details, run: () => Promise<T>, target?: string): Promise<T> {
    try {
      const result = await inRestTerms(run);
      const returned = (result as { id?: unknown } | undefined)?.id;
      const id = target ?? (typeof returned === 'string' ? returned : undefined);
      await this.audit.recordFor(caller, { action, outcome: 'success', ...(id ? { target: id } : {}), details });
      return result;
    } catch (err) {
      await this.audit.recordFor(caller, { action, outcome: 'failed', ...(target ? { target } : {}), details: { ...details, ...failureDetails(err) } });
      throw err;
    }
  }
}
