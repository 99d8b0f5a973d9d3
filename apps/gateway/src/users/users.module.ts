import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SessionsModule } from '../auth/sessions.module.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { PasswordHasher } from './password-hasher.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * The operators' accounts, their passwords and their lifecycle (role, disabled,
 * deleted, sessions ended). Sign-in (auth) looks users up and checks passwords
 * through the two exports.
 */
@Module({
  imports: [AuditModule, SessionsModule],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, PasswordHasher, AdminBootstrap],
  exports: [UsersRepository, PasswordHasher],
})
export class UsersModule {}
