import { BadGatewayException, BadRequestException, Injectable } from '@nestjs/common';
import { validateVerbParams } from '@fleetplane/contracts';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { InjectGrpcClient, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import { actorId, type Caller } from '../auth/principal.js';
import { fieldError } from '../http/field-error.js';
import { priorityToProto, toCommandView, type CommandView } from './command-view.js';
import type { ListCommandsQuery, SubmitCommandBody } from './commands.schemas.js';

export const COMMAND = 'command';

@Injectable()
export class CommandsService {
  constructor(
    @InjectGrpcClient(COMMAND) private readonly commands: GrpcClient<commandV1.CommandServiceClient>,
    private readonly audit: AuditService,
  ) {}

  async submit(caller: Caller, body: SubmitCommandBody): Promise<CommandView> {
    const entry = { action: 'command.submit', details: { verb: body.verb, targets: body.targets, priority: body.priority } };
    // Checked here as well as in the command service, so a typo costs no round trip.
    const check = validateVerbParams(body.verb, body.params);
    if (!check.ok) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, error: 'INVALID_ARGUMENT', field: check.field } });
      throw new BadRequestException(fieldError(check.field, check.message));
    }
    try {
      const res = await this.commands.call('submitCommand', {
        verb: body.verb,
        paramsJson: JSON.stringify(body.params),
        targetAgentIds: body.targets,
        priority: priorityToProto(body.priority),
        timeoutSeconds: body.timeoutSeconds ?? 0,
        requestedBy: actorId(caller.principal),
        idempotencyKey: body.idempotencyKey ?? '',
      });
      if (!res.command) throw new BadGatewayException('command service returned no command');
      await this.audit.recordFor(caller, { ...entry, outcome: 'success', target: res.command.id });
      return toCommandView(res.command);
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, ...failureDetails(err) } });
      throw err;
    }
  }

  async get(id: string): Promise<CommandView> {
    const res = await this.commands.call('getCommand', { commandId: id });
    if (!res.command) throw new BadGatewayException('command service returned no command');
    return toCommandView(res.command);
  }

  async list(q: ListCommandsQuery): Promise<{ commands: CommandView[]; nextPageToken: string | null }> {
    const res = await this.commands.call('listCommands', { agentId: q.agentId ?? '', pageSize: q.pageSize, pageToken: q.pageToken ?? '' });
    return { commands: (res.commands ?? []).map(toCommandView), nextPageToken: res.nextPageToken || null };
  }
}
