import { Controller, Inject } from '@nestjs/common';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { CommandControl } from './command-control.usecase.js';
import { CommandsService } from './commands.service.js';
import { SubmitCommand } from './submit-command.usecase.js';

/** fleetplane.command.v1.CommandService: each call is one service method (runService installs the error filter). */
@Controller()
@commandV1.CommandServiceControllerMethods()
export class CommandsGrpcController implements commandV1.CommandServiceController {
  constructor(
    @Inject(SubmitCommand) private readonly submit: SubmitCommand,
    @Inject(CommandsService) private readonly commands: CommandsService,
    @Inject(CommandControl) private readonly control: CommandControl,
  ) {}

  async submitCommand(req: commandV1.SubmitCommandRequest): Promise<commandV1.SubmitCommandResponse> {
    const { command, counts } = await this.submit.execute(req);
    return { command: await this.commands.view(command, counts) };
  }

  async getCommand(req: commandV1.GetCommandRequest): Promise<commandV1.GetCommandResponse> {
    return { command: await this.commands.get(req.commandId) };
  }

  listCommands(req: commandV1.ListCommandsRequest): Promise<commandV1.ListCommandsResponse> {
    return this.commands.list(req);
  }

  listExecutions(req: commandV1.ListExecutionsRequest): Promise<commandV1.ListExecutionsResponse> {
    return this.commands.listExecutions(req);
  }

  getExecutionOutput(req: commandV1.GetExecutionOutputRequest): Promise<commandV1.GetExecutionOutputResponse> {
    return this.commands.readOutput(req);
  }

  cancelCommand(req: commandV1.CancelCommandRequest): Promise<commandV1.CancelCommandResponse> {
    return this.control.cancelCommand(req);
  }

  cancelExecution(req: commandV1.CancelExecutionRequest): Promise<commandV1.CancelExecutionResponse> {
    return this.control.cancelExecution(req);
  }

  retryCommand(req: commandV1.RetryCommandRequest): Promise<commandV1.RetryCommandResponse> {
    return this.control.retry(req);
  }
}
