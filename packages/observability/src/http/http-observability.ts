import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { observeHttpServer } from './observe-http-server.js';

/**
 * Installs the HTTP metrics and span naming on the application's HTTP server.
 * An interceptor would run only after guards and would not see the final status
 * of a thrown error; this sees every response (see observeHttpServer).
 */
@Injectable()
export class HttpObservability implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // An application context without HTTP (a worker, a test) has no server.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server) observeHttpServer(server);
  }
}
