import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import type { CommandView } from './command-view.js';
import { commandIdParam, listCommandsQuery, submitCommandBody, type CommandPage, type ListCommandsQuery, type SubmitCommandBody } from './commands.schemas.js';
import { CommandsService } from './commands.service.js';

@Controller('commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /** 202: the command is queued; poll GET /commands/:id for its executions. */
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
}
