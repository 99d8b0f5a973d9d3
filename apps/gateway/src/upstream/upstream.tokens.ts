/** ClientsModule tokens of the gRPC peers. */
export const COMMAND_GRPC = Symbol('COMMAND_GRPC');
export const AGENT_HUB_GRPC = Symbol('AGENT_HUB_GRPC');
