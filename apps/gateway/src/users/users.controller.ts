import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { createUserBody, type CreateUserBody } from '../auth/auth.schemas.js';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RolesGuard } from '../auth/roles.guard.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { UsersService, type UserView } from './users.service.js';

@Controller('users')
@UseGuards(ApiAuthGuard, RolesGuard)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequireRole('admin', 'user.create')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createUserBody)) body: CreateUserBody): Promise<UserView> {
    return this.users.create(caller, body);
  }

  @Get()
  @RequireRole('admin')
  async list(): Promise<{ users: UserView[] }> {
    return { users: await this.users.list() };
  }
}
