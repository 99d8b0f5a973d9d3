import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import type { CancelCommandView, CommandView, ExecutionView, OutputView } from './command-view.js';
import {
  commandIdParam,
  executionIdParam,
  listCommandsQuery,
  listExecutionsQuery,
  outputQuery,
  retryCommandBody,
  submitCommandBody,
  type CommandPage,
  type ExecutionPage,
  type ListCommandsQuery,
  type ListExecutionsQuery,
  type OutputQuery,
  type RetryCommandBody,
  type SubmitCommandBody,
} from './commands.schemas.js';
import { CommandsService } from './commands.service.js';

@Controller('commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /** 202: the command is queued; GET /commands/:id has its summary, …/executions its targets. */
  @Post()
  @HttpCode(202)
  @RequireRole('operator', 'command.submit')
  @RequireScope('commands:write')
  submit(@CurrentCaller() caller: Caller, @Body(new ZodPipe(submitCommandBody)) body: SubmitCommandBody): Promise<CommandView> {
    return this.commands.submit(caller, body);
  }

  @Get()
  @RequireRole('viewer')
  @RequireScope('commands:read')
  list(@Query(new ZodPipe(listCommandsQuery)) q: ListCommandsQuery): Promise<CommandPage> {
    return this.commands.list(q);
  }

  @Get(':id')
  @RequireRole('viewer')
  @RequireScope('commands:read')
  get(@Param('id', new ZodPipe(commandIdParam, 'id')) id: string): Promise<CommandView> {
    return this.commands.get(id);
  }

  @Get(':id/executions')
  @RequireRole('viewer')
  @RequireScope('commands:read')
  executions(
    @Param('id', new ZodPipe(commandIdParam, 'id')) id: string,
    @Query(new ZodPipe(listExecutionsQuery)) q: ListExecutionsQuery,
  ): Promise<ExecutionPage> {
    return this.commands.executions(id, q);
  }

  @Get(':id/executions/:eid/output')
  @RequireRole('viewer')
  @RequireScope('commands:read')
  output(
    @Param('id', new ZodPipe(commandIdParam, 'id')) id: string,
    @Param('eid', new ZodPipe(executionIdParam, 'eid')) eid: string,
    @Query(new ZodPipe(outputQuery)) q: OutputQuery,
  ): Promise<OutputView> {
    return this.commands.output(id, eid, q);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @RequireRole('operator', 'command.cancel')
  @RequireScope('commands:write')
  cancel(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(commandIdParam, 'id')) id: string): Promise<CancelCommandView> {
    return this.commands.cancel(caller, id);
  }

  @Post(':id/executions/:eid/cancel')
  @HttpCode(202)
  @RequireRole('operator', 'execution.cancel')
  @RequireScope('commands:write')
  cancelExecution(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(commandIdParam, 'id')) id: string,
    @Param('eid', new ZodPipe(executionIdParam, 'eid')) eid: string,
  ): Promise<{ execution: ExecutionView }> {
    return this.commands.cancelExecution(caller, id, eid);
  }

  @Post(':id/retry')
  @HttpCode(201)
  @RequireRole('operator', 'command.retry')
  @RequireScope('commands:write')
  retry(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(commandIdParam, 'id')) id: string,
    @Body(new ZodPipe(retryCommandBody)) body: RetryCommandBody,
  ): Promise<CommandView> {
    return this.commands.retry(caller, id, body);
  }
}
