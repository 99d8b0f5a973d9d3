import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  changePasswordBody,
  createUserBody,
  updateUserBody,
  userIdParam,
  type ChangePasswordBody,
  type CreateUserBody,
  type UpdateUserBody,
  type UserList,
} from './users.schemas.js';
import { UsersService, type UserView } from './users.service.js';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequireRole('admin', 'user.create')
  @RequireScope('users:write')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createUserBody)) body: CreateUserBody): Promise<UserView> {
    return this.users.create(caller, body);
  }

  @Get()
  @RequireRole('admin')
  @RequireScope('users:read')
  async list(): Promise<UserList> {
    return { users: await this.users.list() };
  }

  /** Before `:id`, so that `me` is not taken for an id. A user only: the service refuses API keys (403). */
  @Post('me/password')
  @HttpCode(204)
  @RequireRole('viewer', 'user.password_change')
  @RequireScope('users:write')
  changePassword(@CurrentCaller() caller: Caller, @Body(new ZodPipe(changePasswordBody)) body: ChangePasswordBody): Promise<void> {
    return this.users.changePassword(caller, body);
  }

  @Patch(':id')
  @RequireRole('admin', 'user.update')
  @RequireScope('users:write')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(userIdParam, 'id')) id: string,
    @Body(new ZodPipe(updateUserBody)) body: UpdateUserBody,
  ): Promise<UserView> {
    return this.users.update(caller, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin', 'user.delete')
  @RequireScope('users:write')
  delete(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(userIdParam, 'id')) id: string): Promise<void> {
    return this.users.delete(caller, id);
  }

  @Delete(':id/sessions')
  @HttpCode(204)
  @RequireRole('admin', 'user.sessions_revoke')
  @RequireScope('users:write')
  endSessions(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(userIdParam, 'id')) id: string): Promise<void> {
    return this.users.endSessions(caller, id);
  }
}
