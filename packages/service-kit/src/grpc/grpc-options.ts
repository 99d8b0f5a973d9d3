import { join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
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

/**
 * Server options for a service's gRPC API, with server reflection for
 * grpcurl and friends; `addServices` adds more (the health service) to the
 * same server.
 */
export const grpcServerOptions = (key: GrpcServiceKey, url: string, addServices?: (pkg: PackageDefinition, server: Server) => void) =>
  grpcOptions(key, url, {
    onLoadPackageDefinition: (pkg: PackageDefinition, server: Server) => {
      new ReflectionService(pkg).addToServer(server);
      addServices?.(pkg, server);
    },
  });

/** Client options for calling another service's gRPC API. */
export const grpcClientOptions = (key: GrpcServiceKey, url: string): GrpcOptions => grpcOptions(key, url, { maxReceiveMessageLength: MAX_MESSAGE_BYTES });
