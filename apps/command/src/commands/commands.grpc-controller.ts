import { Controller, Inject } from '@nestjs/common';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { CommandsService } from './commands.service.js';

/** fleetplane.command.v1.CommandService: each call is one service method (runService installs the error filter). */
@Controller()
@commandV1.CommandServiceControllerMethods()
export class CommandsGrpcController implements commandV1.CommandServiceController {
  constructor(@Inject(CommandsService) private readonly commands: CommandsService) {}

  async submitCommand(req: commandV1.SubmitCommandRequest): Promise<commandV1.SubmitCommandResponse> {
    return { command: await this.commands.submit(req) };
  }

  async getCommand(req: commandV1.GetCommandRequest): Promise<commandV1.GetCommandResponse> {
    return { command: await this.commands.get(req.commandId) };
  }

  listCommands(req: commandV1.ListCommandsRequest): Promise<commandV1.ListCommandsResponse> {
    return this.commands.list(req);
  }
}
