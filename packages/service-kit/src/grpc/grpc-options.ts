import { join } from 'node:path';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import { grpcPackages, PROTO_DIR, protoFiles, protoLoaderOptions } from '@fleetplane/contracts/grpc';

export type GrpcServiceKey = keyof typeof grpcPackages;

const protoPath = (key: GrpcServiceKey) => join(PROTO_DIR, protoFiles[key]);

/** Server options for a service's gRPC API, with server reflection for grpcurl and friends. */
export function grpcServerOptions(key: GrpcServiceKey, url: string): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: grpcPackages[key],
      protoPath: protoPath(key),
      url,
      loader: protoLoaderOptions,
      onLoadPackageDefinition: (pkg, server) => {
        new ReflectionService(pkg).addToServer(server);
      },
    },
  };
}

/** Command output can reach a few MiB per execution; gRPC's 4 MiB default would refuse such replies. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Client options for calling another service's gRPC API. */
export function grpcClientOptions(key: GrpcServiceKey, url: string): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: grpcPackages[key],
      protoPath: protoPath(key),
      url,
      loader: protoLoaderOptions,
      maxReceiveMessageLength: MAX_MESSAGE_BYTES,
    },
  };
}
