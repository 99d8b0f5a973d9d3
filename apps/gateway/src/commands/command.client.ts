import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { unaryCall } from '../upstream/unary-call.js';
import { COMMAND_GRPC } from '../upstream/upstream.tokens.js';

/** The command service's gRPC API, each call with a deadline. */
@Injectable()
export class CommandClient implements OnModuleInit {
  private client!: commandV1.CommandServiceClient;

  constructor(
    @Inject(COMMAND_GRPC) private readonly grpc: ClientGrpc,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.client = this.grpc.getService<commandV1.CommandServiceClient>(commandV1.COMMAND_SERVICE_NAME);
  }

  submitCommand(req: commandV1.SubmitCommandRequest): Promise<commandV1.SubmitCommandResponse> {
    return unaryCall(this.target('SubmitCommand'), this.client.submitCommand.bind(this.client), req);
  }

  getCommand(req: commandV1.GetCommandRequest): Promise<commandV1.GetCommandResponse> {
    return unaryCall(this.target('GetCommand'), this.client.getCommand.bind(this.client), req);
  }

  listCommands(req: commandV1.ListCommandsRequest): Promise<commandV1.ListCommandsResponse> {
    return unaryCall(this.target('ListCommands'), this.client.listCommands.bind(this.client), req);
  }

  private target(method: string) {
    return { service: 'command', method, timeoutMs: this.config.UPSTREAM_TIMEOUT_MS };
  }
}
