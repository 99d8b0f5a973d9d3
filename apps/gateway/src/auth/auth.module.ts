import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { SERVICE_CONFIG } from '@fleetplane/service-kit';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { AccessGuard } from './access.guard.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { jwtModuleOptions } from './jwt.options.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginRateLimiter, RedisCounterStore } from './login-rate-limiter.js';
import { SessionsModule } from './sessions.module.js';
import { TokenIssuer } from './token-issuer.js';

/**
 * Sign-in (login, refresh tokens, logout) and the guard every HTTP route of the
 * app passes: AccessGuard, registered here with APP_GUARD. The stream checks
 * its auth frames' access tokens through AccessTokenVerifier.
 */
@Module({
  imports: [
    UsersModule,
    ApiKeysModule,
    AuditModule,
    MetricsModule,
    SessionsModule,
    PassportModule,
    JwtModule.registerAsync({ inject: [SERVICE_CONFIG], useFactory: (config: GatewayConfig) => jwtModuleOptions(config.JWT_SECRET) }),
  ],
  controllers: [AuthController],
  providers: [
    TokenIssuer,
    RedisCounterStore,
    LoginRateLimiter,
    AuthService,
    JwtStrategy,
    ApiKeyStrategy,
    ApiAuthGuard,
    AccessTokenVerifier,
    AccessGuard,
    { provide: APP_GUARD, useExisting: AccessGuard },
  ],
  exports: [AccessTokenVerifier, SessionsModule],
})
export class AuthModule {}
