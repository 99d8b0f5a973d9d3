import { join } from 'node:path';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import { grpcPackages, PROTO_DIR, protoFiles, protoLoaderOptions } from '@fleetplane/contracts/grpc';

export type GrpcServiceKey = keyof typeof grpcPackages;

/** Command output can reach a few MiB per execution; gRPC's 4 MiB default would refuse such replies. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const grpcOptions = (key: GrpcServiceKey, url: string, extra: Partial<GrpcOptions['options']>): GrpcOptions => ({
  transport: Transport.GRPC,
  options: { package: grpcPackages[key], protoPath: join(PROTO_DIR, protoFiles[key]), url, loader: protoLoaderOptions, ...extra },
});

/** Server options for a service's gRPC API, with server reflection for grpcurl and friends. */
export const grpcServerOptions = (key: GrpcServiceKey, url: string): GrpcOptions =>
  grpcOptions(key, url, {
    onLoadPackageDefinition: (pkg, server) => {
      new ReflectionService(pkg).addToServer(server);
    },
  });

/** Client options for calling another service's gRPC API. */
export const grpcClientOptions = (key: GrpcServiceKey, url: string): GrpcOptions =>
  grpcOptions(key, url, { maxReceiveMessageLength: MAX_MESSAGE_BYTES });
